/*
 * norm_address.c — USPS Publication 28 address parsing, formatting and
 * component comparison (see address.h for the rules a user sees).
 *
 * An address arrives as one line of loosely punctuated text, said aloud or
 * written by a model. We lex it into uppercase words that remember which
 * comma-separated segment they came from (commas are the only reliable hint
 * where the street ends and the city begins), then read it left to right in
 * the order Pub 28 defines the delivery line: [place] number [predirectional]
 * name [suffix] [postdirectional] [unit] [city] [state] [ZIP]. The last line
 * (ZIP, and a state just before it) is peeled off the end first, because a
 * ZIP is unambiguous and bounds everything else. Each decision that cannot
 * be made from the words alone (is "PARK" a name or a suffix? is "FOREST
 * HILLS" a city?) has one documented rule, so the same text always reads
 * the same way and the canonical form reads back to itself.
 *
 * hx_norm_address (canon.h) is hx_address_parse + hx_address_format; the
 * assertion engine runs it on both sides, or calls hx_address_match when it
 * wants component-level reasons.
 */
#include "address.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "numwords.h"
#include "text.h"

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

/*
 * Pub 28 Appendix C1. `common` marks suffixes that are rarely the first
 * word of a city or a venue ("Forest Hills", "Park Slope", "Union Station"
 * start with suffix words, "Street" and "Avenue" do not): only they may end
 * a street that is followed by more words without a comma, and only they
 * make a street without a house number an address. EXTENSION is one so
 * that "MAIN ST EXT" keeps EXT as its suffix.
 */
typedef struct sfx_entry {
    const char *primary;  /* C1 primary street suffix name */
    const char *std;      /* C1 Postal Service standard suffix abbreviation */
    const char *forms;    /* other commonly used forms, space-separated */
    bool common;
} sfx_entry;

static const sfx_entry SUFFIXES[] = {
    {"ALLEY", "ALY", "ALLEE ALLY", true},
    {"ANEX", "ANX", "ANNEX ANNX", false},
    {"ARCADE", "ARC", "", false},
    {"AVENUE", "AVE", "AV AVEN AVENU AVN AVNUE", true},
    {"BAYOU", "BYU", "BAYOO", false},
    {"BEACH", "BCH", "", false},
    {"BEND", "BND", "", false},
    {"BLUFF", "BLF", "BLUF", false},
    {"BLUFFS", "BLFS", "", false},
    {"BOTTOM", "BTM", "BOT BOTTM", false},
    {"BOULEVARD", "BLVD", "BOUL BOULV", true},
    {"BRANCH", "BR", "BRNCH", false},
    {"BRIDGE", "BRG", "BRDGE", false},
    {"BROOK", "BRK", "", false},
    {"BROOKS", "BRKS", "", false},
    {"BURG", "BG", "", false},
    {"BURGS", "BGS", "", false},
    {"BYPASS", "BYP", "BYPA BYPAS BYPS", true},
    {"CAMP", "CP", "CMP", false},
    {"CANYON", "CYN", "CANYN CNYN", false},
    {"CAPE", "CPE", "", false},
    {"CAUSEWAY", "CSWY", "CAUSWA", true},
    {"CENTER", "CTR", "CEN CENT CENTR CENTRE CNTER CNTR", false},
    {"CENTERS", "CTRS", "", false},
    {"CIRCLE", "CIR", "CIRC CIRCL CRCL CRCLE", true},
    {"CIRCLES", "CIRS", "", false},
    {"CLIFF", "CLF", "", false},
    {"CLIFFS", "CLFS", "", false},
    {"CLUB", "CLB", "", false},
    {"COMMON", "CMN", "", false},
    {"COMMONS", "CMNS", "", false},
    {"CORNER", "COR", "", false},
    {"CORNERS", "CORS", "", false},
    {"COURSE", "CRSE", "", false},
    {"COURT", "CT", "", true},
    {"COURTS", "CTS", "", false},
    {"COVE", "CV", "", false},
    {"COVES", "CVS", "", false},
    {"CREEK", "CRK", "", false},
    {"CRESCENT", "CRES", "CRSENT CRSNT", true},
    {"CREST", "CRST", "", false},
    {"CROSSING", "XING", "CRSSNG", false},
    {"CROSSROAD", "XRD", "", false},
    {"CROSSROADS", "XRDS", "", false},
    {"CURVE", "CURV", "", false},
    {"DALE", "DL", "", false},
    {"DAM", "DM", "", false},
    {"DIVIDE", "DV", "DIV DVD", false},
    {"DRIVE", "DR", "DRIV DRV", true},
    {"DRIVES", "DRS", "", false},
    {"ESTATE", "EST", "", false},
    {"ESTATES", "ESTS", "", false},
    {"EXPRESSWAY", "EXPY", "EXP EXPR EXPRESS EXPW", true},
    {"EXTENSION", "EXT", "EXTN EXTNSN", true},
    {"EXTENSIONS", "EXTS", "", false},
    {"FALL", "FALL", "", false},
    {"FALLS", "FLS", "", false},
    {"FERRY", "FRY", "FRRY", false},
    {"FIELD", "FLD", "", false},
    {"FIELDS", "FLDS", "", false},
    {"FLAT", "FLT", "", false},
    {"FLATS", "FLTS", "", false},
    {"FORD", "FRD", "", false},
    {"FORDS", "FRDS", "", false},
    {"FOREST", "FRST", "FORESTS", false},
    {"FORGE", "FRG", "FORG", false},
    {"FORGES", "FRGS", "", false},
    {"FORK", "FRK", "", false},
    {"FORKS", "FRKS", "", false},
    {"FORT", "FT", "FRT", false},
    {"FREEWAY", "FWY", "FREEWY FRWAY FRWY", true},
    {"GARDEN", "GDN", "GARDN GRDEN GRDN", false},
    {"GARDENS", "GDNS", "GRDNS", false},
    {"GATEWAY", "GTWY", "GATEWY GATWAY GTWAY", false},
    {"GLEN", "GLN", "", false},
    {"GLENS", "GLNS", "", false},
    {"GREEN", "GRN", "", false},
    {"GREENS", "GRNS", "", false},
    {"GROVE", "GRV", "GROV", false},
    {"GROVES", "GRVS", "", false},
    {"HARBOR", "HBR", "HARB HARBR HRBOR", false},
    {"HARBORS", "HBRS", "", false},
    {"HAVEN", "HVN", "", false},
    {"HEIGHTS", "HTS", "HT", false},
    {"HIGHWAY", "HWY", "HIGHWY HIWAY HIWY HWAY", true},
    {"HILL", "HL", "", false},
    {"HILLS", "HLS", "", false},
    {"HOLLOW", "HOLW", "HLLW HOLLOWS HOLWS", false},
    {"INLET", "INLT", "", false},
    {"ISLAND", "IS", "ISLND", false},
    {"ISLANDS", "ISS", "ISLNDS", false},
    {"ISLE", "ISLE", "ISLES", false},
    {"JUNCTION", "JCT", "JCTION JCTN JUNCTN JUNCTON", false},
    {"JUNCTIONS", "JCTS", "JCTNS", false},
    {"KEY", "KY", "", false},
    {"KEYS", "KYS", "", false},
    {"KNOLL", "KNL", "KNOL", false},
    {"KNOLLS", "KNLS", "", false},
    {"LAKE", "LK", "", false},
    {"LAKES", "LKS", "", false},
    {"LAND", "LAND", "", false},
    {"LANDING", "LNDG", "LNDNG", false},
    {"LANE", "LN", "", true},
    {"LIGHT", "LGT", "", false},
    {"LIGHTS", "LGTS", "", false},
    {"LOAF", "LF", "", false},
    {"LOCK", "LCK", "", false},
    {"LOCKS", "LCKS", "", false},
    {"LODGE", "LDG", "LDGE LODG", false},
    {"LOOP", "LOOP", "LOOPS", true},
    {"MALL", "MALL", "", false},
    {"MANOR", "MNR", "", false},
    {"MANORS", "MNRS", "", false},
    {"MEADOW", "MDW", "", false},
    {"MEADOWS", "MDWS", "MEDOWS", false},
    {"MEWS", "MEWS", "", false},
    {"MILL", "ML", "", false},
    {"MILLS", "MLS", "", false},
    {"MISSION", "MSN", "MISSN MSSN", false},
    {"MOTORWAY", "MTWY", "", true},
    {"MOUNT", "MT", "MNT", false},
    {"MOUNTAIN", "MTN", "MNTAIN MNTN MOUNTIN MTIN", false},
    {"MOUNTAINS", "MTNS", "MNTNS", false},
    {"NECK", "NCK", "", false},
    {"ORCHARD", "ORCH", "ORCHRD", false},
    {"OVAL", "OVAL", "OVL", false},
    {"OVERPASS", "OPAS", "", false},
    {"PARK", "PARK", "PRK PARKS", false},
    {"PARKWAY", "PKWY", "PARKWY PKWAY PKY PARKWAYS PKWYS", true},
    {"PASS", "PASS", "", false},
    {"PASSAGE", "PSGE", "", false},
    {"PATH", "PATH", "PATHS", false},
    {"PIKE", "PIKE", "PIKES", false},
    {"PINE", "PNE", "", false},
    {"PINES", "PNES", "", false},
    {"PLACE", "PL", "", true},
    {"PLAIN", "PLN", "", false},
    {"PLAINS", "PLNS", "", false},
    {"PLAZA", "PLZ", "PLZA", true},
    {"POINT", "PT", "", false},
    {"POINTS", "PTS", "", false},
    {"PORT", "PRT", "", false},
    {"PORTS", "PRTS", "", false},
    {"PRAIRIE", "PR", "PRR", false},
    {"RADIAL", "RADL", "RAD RADIEL", false},
    {"RAMP", "RAMP", "", false},
    {"RANCH", "RNCH", "RANCHES RNCHS", false},
    {"RAPID", "RPD", "", false},
    {"RAPIDS", "RPDS", "", false},
    {"REST", "RST", "", false},
    {"RIDGE", "RDG", "RDGE", false},
    {"RIDGES", "RDGS", "", false},
    {"RIVER", "RIV", "RIVR RVR", false},
    {"ROAD", "RD", "", true},
    {"ROADS", "RDS", "", false},
    {"ROUTE", "RTE", "", false},
    {"ROW", "ROW", "", true},
    {"RUE", "RUE", "", false},
    {"RUN", "RUN", "", false},
    {"SHOAL", "SHL", "", false},
    {"SHOALS", "SHLS", "", false},
    {"SHORE", "SHR", "SHOAR", false},
    {"SHORES", "SHRS", "SHOARS", false},
    {"SKYWAY", "SKWY", "", true},
    {"SPRING", "SPG", "SPNG SPRNG", false},
    {"SPRINGS", "SPGS", "SPNGS SPRNGS", false},
    {"SPUR", "SPUR", "SPURS", false},
    {"SQUARE", "SQ", "SQR SQRE SQU", true},
    {"SQUARES", "SQS", "SQRS", false},
    {"STATION", "STA", "STATN STN", false},
    {"STRAVENUE", "STRA", "STRAV STRAVEN STRAVN STRVN STRVNUE", false},
    {"STREAM", "STRM", "STREME", false},
    {"STREET", "ST", "STR STRT", true},
    {"STREETS", "STS", "", false},
    {"SUMMIT", "SMT", "SUMIT SUMITT", false},
    {"TERRACE", "TER", "TERR", true},
    {"THROUGHWAY", "TRWY", "", true},
    {"TRACE", "TRCE", "TRACES", false},
    {"TRACK", "TRAK", "TRACKS TRK TRKS", false},
    {"TRAFFICWAY", "TRFY", "", true},
    {"TRAIL", "TRL", "TRAILS TRLS", true},
    {"TUNNEL", "TUNL", "TUNEL TUNLS TUNNELS TUNNL", false},
    {"TURNPIKE", "TPKE", "TRNPK TURNPK", true},
    {"UNDERPASS", "UPAS", "", false},
    {"UNION", "UN", "", false},
    {"UNIONS", "UNS", "", false},
    {"VALLEY", "VLY", "VALLY VLLY", false},
    {"VALLEYS", "VLYS", "", false},
    {"VIADUCT", "VIA", "VDCT VIADCT", false},
    {"VIEW", "VW", "", false},
    {"VIEWS", "VWS", "", false},
    {"VILLAGE", "VLG", "VILL VILLAG VILLG VILLIAGE", false},
    {"VILLAGES", "VLGS", "", false},
    {"VILLE", "VL", "", false},
    {"VISTA", "VIS", "VIST VST VSTA", false},
    {"WALK", "WALK", "WALKS", false},
    {"WALL", "WALL", "", false},
    {"WAY", "WAY", "WY", true},
    {"WAYS", "WAYS", "", false},
    {"WELL", "WL", "", false},
    {"WELLS", "WLS", "", false},
};

/* Standard abbreviations that are also ordinary words or initials; in name
 * position they stay as written instead of being spelled out. */
static const char *const NO_EXPAND[] = {
    "IS", "UN", "VIA", "EST", "KY", "CP", "DL", "DM", "DV", "LF", "VL",
    "BG", "PR", "BR", "CV", "HL", "ML", "WL"};

typedef struct dir_entry {
    const char *word, *abbr;
} dir_entry;

static const dir_entry DIRS[] = {
    {"NORTH", "N"}, {"SOUTH", "S"}, {"EAST", "E"}, {"WEST", "W"},
    {"NORTHEAST", "NE"}, {"NORTHWEST", "NW"},
    {"SOUTHEAST", "SE"}, {"SOUTHWEST", "SW"},
};

/* Pub 28 Appendix C2. Designators with needs_value false (REAR, BSMT...)
 * may stand alone; the others need a number or letter after them. */
typedef struct unit_entry {
    const char *abbr;
    const char *forms;   /* spelled-out and other forms, space-separated */
    bool needs_value;
} unit_entry;

static const unit_entry UNITS[] = {
    {"APT", "APARTMENT", true},
    {"BSMT", "BASEMENT", false},
    {"BLDG", "BUILDING", true},
    {"DEPT", "DEPARTMENT", true},
    {"FL", "FLOOR FLR", true},
    {"FRNT", "FRONT", false},
    {"HNGR", "HANGAR", true},
    {"KEY", "", true},
    {"LBBY", "LOBBY", false},
    {"LOT", "", true},
    {"LOWR", "LOWER", false},
    {"OFC", "OFFICE", false},
    {"PH", "PENTHOUSE", false},
    {"PIER", "", true},
    {"REAR", "", false},
    {"RM", "ROOM", true},
    {"SIDE", "", false},
    {"SLIP", "", true},
    {"SPC", "SPACE", true},
    {"STOP", "", true},
    {"STE", "SUITE", true},
    {"TRLR", "TRAILER", true},
    {"UNIT", "", true},
    {"UPPR", "UPPER", false},
};

typedef struct state_entry {
    const char *name, *code;
} state_entry;

/* The 50 states, DC, the territories and freely associated states USPS
 * serves, and the military "states" (code only). */
static const state_entry STATES[] = {
    {"ALABAMA", "AL"}, {"ALASKA", "AK"}, {"ARIZONA", "AZ"},
    {"ARKANSAS", "AR"}, {"CALIFORNIA", "CA"}, {"COLORADO", "CO"},
    {"CONNECTICUT", "CT"}, {"DELAWARE", "DE"},
    {"DISTRICT OF COLUMBIA", "DC"}, {"FLORIDA", "FL"}, {"GEORGIA", "GA"},
    {"HAWAII", "HI"}, {"IDAHO", "ID"}, {"ILLINOIS", "IL"},
    {"INDIANA", "IN"}, {"IOWA", "IA"}, {"KANSAS", "KS"},
    {"KENTUCKY", "KY"}, {"LOUISIANA", "LA"}, {"MAINE", "ME"},
    {"MARYLAND", "MD"}, {"MASSACHUSETTS", "MA"}, {"MICHIGAN", "MI"},
    {"MINNESOTA", "MN"}, {"MISSISSIPPI", "MS"}, {"MISSOURI", "MO"},
    {"MONTANA", "MT"}, {"NEBRASKA", "NE"}, {"NEVADA", "NV"},
    {"NEW HAMPSHIRE", "NH"}, {"NEW JERSEY", "NJ"}, {"NEW MEXICO", "NM"},
    {"NEW YORK", "NY"}, {"NORTH CAROLINA", "NC"}, {"NORTH DAKOTA", "ND"},
    {"OHIO", "OH"}, {"OKLAHOMA", "OK"}, {"OREGON", "OR"},
    {"PENNSYLVANIA", "PA"}, {"RHODE ISLAND", "RI"},
    {"SOUTH CAROLINA", "SC"}, {"SOUTH DAKOTA", "SD"}, {"TENNESSEE", "TN"},
    {"TEXAS", "TX"}, {"UTAH", "UT"}, {"VERMONT", "VT"},
    {"VIRGINIA", "VA"}, {"WASHINGTON", "WA"}, {"WEST VIRGINIA", "WV"},
    {"WISCONSIN", "WI"}, {"WYOMING", "WY"},
    {"AMERICAN SAMOA", "AS"}, {"GUAM", "GU"},
    {"NORTHERN MARIANA ISLANDS", "MP"}, {"PUERTO RICO", "PR"},
    {"VIRGIN ISLANDS", "VI"}, {"US VIRGIN ISLANDS", "VI"},
    {"FEDERATED STATES OF MICRONESIA", "FM"}, {"MICRONESIA", "FM"},
    {"MARSHALL ISLANDS", "MH"}, {"PALAU", "PW"},
    {NULL, "AA"}, {NULL, "AE"}, {NULL, "AP"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Lexing                                                               */
/* ------------------------------------------------------------------ */

#define AT_MAX 64    /* words kept; an address has far fewer */
#define AT_LEN 48    /* bytes per word including NUL */
#define IN_MAX 1024  /* longer input is not one address */

typedef struct atok {
    char s[AT_LEN]; /* uppercase (ASCII), punctuation removed */
    int seg;        /* comma-separated segment it came from */
    bool hash;      /* the '#' sign */
    bool dotted;    /* a period followed it ("D." of "D.C.") */
} atok;

typedef struct alex {
    int n;
    atok t[AT_MAX];
} alex;

static int fail(char *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, HX_WHY_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_wordc(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static int push(alex *lx, const char *s, int seg, bool hash, char *why)
{
    if (lx->n >= AT_MAX) return fail(why, "too many words for one address");
    atok *t = &lx->t[lx->n++];
    snprintf(t->s, sizeof t->s, "%s", s);
    t->seg = seg;
    t->hash = hash;
    t->dotted = false;
    return 0;
}

/* A hyphen is kept where it joins digits to something ("123-01", "15099-A",
 * "A-1": house and unit numbers), a slash only between digits ("1/2");
 * between letters both are word breaks ("Los Gatos-Saratoga"). */
static bool joins(char prev, const unsigned char *p)
{
    if (*p == '/')
        return isdigit((unsigned char)prev) && isdigit(p[1]);
    if (*p == '-')
        return (isdigit((unsigned char)prev) && isalnum(p[1])) ||
               (isalnum((unsigned char)prev) && isdigit(p[1]));
    return false;
}

/* "27 - 31": a spaced range of house numbers is one number. Returns the
 * position of the second number's first digit, or NULL. */
static const unsigned char *spaced_range(const char *buf, const unsigned char *p)
{
    if (!hx_all_digits(buf)) return NULL;
    while (*p == ' ') p++;
    if (*p != '-') return NULL;
    p++;
    while (*p == ' ') p++;
    return isdigit(*p) ? p : NULL;
}

/* Read one word starting at *pp into buf; apostrophes inside words vanish
 * ("Mary's" -> "MARYS", "O'Hare" -> "OHARE"). */
static int read_word(const unsigned char **pp, char buf[AT_LEN], char *why)
{
    const unsigned char *p = *pp, *q;
    size_t k = 0;
    for (;;) {
        if (is_wordc(*p) || (k > 0 && joins(buf[k - 1], p))) {
            if (k + 1 >= AT_LEN) return fail(why, "word too long for an address");
            buf[k++] = (char)(*p < 0x80 ? toupper(*p) : *p);
            p++;
        } else if (*p == '\'' && k > 0 && is_wordc(p[1])) {
            p++;
        } else {
            buf[k] = '\0';
            if ((q = spaced_range(buf, p)) == NULL) break;
            if (k + 1 >= AT_LEN) return fail(why, "word too long for an address");
            buf[k++] = '-';
            p = q;
        }
    }
    *pp = p;
    return 0;
}

/* Single letters written with periods are one word: "D.C." -> DC,
 * "P.O." -> PO, "U.S.A." -> USA. */
static void merge_initials(alex *lx)
{
    int w = 0;
    for (int i = 0; i < lx->n;) {
        int j = i;
        while (j + 1 < lx->n && j + 1 - i < AT_LEN - 1 &&
               strlen(lx->t[j].s) == 1 && lx->t[j].dotted &&
               isalpha((unsigned char)lx->t[j].s[0]) &&
               strlen(lx->t[j + 1].s) == 1 &&
               isalpha((unsigned char)lx->t[j + 1].s[0]) &&
               lx->t[j + 1].seg == lx->t[i].seg)
            j++;
        atok merged = lx->t[i];
        for (int k = i + 1; k <= j; k++) {
            size_t m = strlen(merged.s);
            merged.s[m] = lx->t[k].s[0];
            merged.s[m + 1] = '\0';
        }
        merged.dotted = lx->t[j].dotted;
        lx->t[w++] = merged;
        i = j + 1;
    }
    lx->n = w;
}

static int lex(const char *in, alex *lx, char *why)
{
    const unsigned char *p = (const unsigned char *)in;
    int seg = 0;
    lx->n = 0;
    while (*p) {
        if (*p == ',' || *p == ';' || *p == '\n' || *p == '\r' || *p == '|') {
            seg++;
            p++;
        } else if (*p == '#') {
            if (push(lx, "#", seg, true, why)) return -1;
            p++;
        } else if (*p == '&') {
            if (push(lx, "AND", seg, false, why)) return -1;
            p++;
        } else if (is_wordc(*p)) {
            char buf[AT_LEN];
            if (read_word(&p, buf, why) || push(lx, buf, seg, false, why))
                return -1;
            lx->t[lx->n - 1].dotted = (*p == '.');
        } else {
            p++;
        }
    }
    merge_initials(lx);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Word classes                                                         */
/* ------------------------------------------------------------------ */

static bool in_list(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, w, n) == 0) return true;
        if (!e) break;
        p = e + 1;
    }
    return false;
}

/* Every word of SUFFIXES (primary, standard, other forms), sorted, each
 * with the first entry that has it. The parser asks about almost every
 * word of an address several times, and a scan of the 200-entry table per
 * question was a third of the time `harness validate` spent on a suite
 * with addresses; the index answers with a binary search. Built once, on
 * first use (threads may normalise at the same time). */
#define SFX_WORD_MAX 16
#define SFX_INDEX_MAX 1024

typedef struct sfx_word {
    char w[SFX_WORD_MAX];
    unsigned short entry;   /* index into SUFFIXES */
} sfx_word;

static sfx_word g_sfx_index[SFX_INDEX_MAX];
static size_t g_sfx_n;
static bool g_sfx_full;     /* a word did not fit: scan the table instead */
static pthread_once_t g_sfx_once = PTHREAD_ONCE_INIT;

static int sfx_word_cmp(const void *a, const void *b)
{
    const sfx_word *x = a, *y = b;
    int c = strcmp(x->w, y->w);
    return c ? c : (int)x->entry - (int)y->entry;
}

static void sfx_index_add(const char *w, size_t len, size_t entry)
{
    if (len == 0) return;
    if (len >= SFX_WORD_MAX || g_sfx_n >= SFX_INDEX_MAX) {
        g_sfx_full = true;
        return;
    }
    memcpy(g_sfx_index[g_sfx_n].w, w, len);
    g_sfx_index[g_sfx_n].w[len] = '\0';
    g_sfx_index[g_sfx_n++].entry = (unsigned short)entry;
}

static void sfx_index_build(void)
{
    for (size_t i = 0; i < COUNT(SUFFIXES); i++) {
        const sfx_entry *e = &SUFFIXES[i];
        sfx_index_add(e->primary, strlen(e->primary), i);
        sfx_index_add(e->std, strlen(e->std), i);
        for (const char *p = e->forms; *p;) {
            const char *sp = strchr(p, ' ');
            size_t len = sp ? (size_t)(sp - p) : strlen(p);
            sfx_index_add(p, len, i);
            if (!sp) break;
            p = sp + 1;
        }
    }
    qsort(g_sfx_index, g_sfx_n, sizeof *g_sfx_index, sfx_word_cmp);
    /* A word in two entries answers with the first, as a scan would. */
    size_t k = 0;
    for (size_t i = 0; i < g_sfx_n; i++)
        if (k == 0 || strcmp(g_sfx_index[k - 1].w, g_sfx_index[i].w) != 0) g_sfx_index[k++] = g_sfx_index[i];
    g_sfx_n = k;
}

static int sfx_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const sfx_word *)elem)->w);
}

/* The scan the index replaces, kept for a table grown past the index. */
static const sfx_entry *sfx_scan(const char *w)
{
    for (size_t i = 0; i < COUNT(SUFFIXES); i++) {
        const sfx_entry *e = &SUFFIXES[i];
        if (strcmp(w, e->primary) == 0 || strcmp(w, e->std) == 0 || in_list(e->forms, w)) return e;
    }
    return NULL;
}

static const sfx_entry *sfx_find(const char *w)
{
    pthread_once(&g_sfx_once, sfx_index_build);
    if (g_sfx_full) return sfx_scan(w);
    const sfx_word *hit = bsearch(w, g_sfx_index, g_sfx_n, sizeof *g_sfx_index, sfx_key_cmp);
    return hit ? &SUFFIXES[hit->entry] : NULL;
}

static bool tok_sfx(const alex *lx, int k)
{
    return !lx->t[k].hash && sfx_find(lx->t[k].s) != NULL;
}

/* The abbreviation of a directional written either way, or NULL. */
static const char *dir_abbr(const char *w)
{
    for (size_t i = 0; i < COUNT(DIRS); i++)
        if (strcmp(w, DIRS[i].word) == 0 || strcmp(w, DIRS[i].abbr) == 0)
            return DIRS[i].abbr;
    return NULL;
}

static const unit_entry *unit_find(const char *w)
{
    for (size_t i = 0; i < COUNT(UNITS); i++)
        if (strcmp(w, UNITS[i].abbr) == 0 || in_list(UNITS[i].forms, w))
            return &UNITS[i];
    return NULL;
}

static bool all_alpha(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isalpha((unsigned char)*s)) return false;
    return true;
}

/* "5TH", "21ST", "161ST": digits and an ordinal ending. The ending is not
 * checked against the number ("2TH"): we rewrite it from the number. */
static bool digit_ordinal(const char *s, long *v)
{
    size_t d = strspn(s, "0123456789");
    if (d == 0 || d > 9 || strlen(s) != d + 2) return false;
    const char *e = s + d;
    if (strcmp(e, "ST") && strcmp(e, "ND") && strcmp(e, "RD") && strcmp(e, "TH"))
        return false;
    *v = strtol(s, NULL, 10);
    return true;
}

static const char *ord_suffix(long long v)
{
    long long h = v % 100;
    if (h >= 11 && h <= 13) return "TH";
    switch (v % 10) {
    case 1: return "ST";
    case 2: return "ND";
    case 3: return "RD";
    default: return "TH";
    }
}

/* A house number: starts with a digit, letters and inner hyphens allowed
 * ("5B", "28BIS", "123-01", "15099-A"); not an ordinal ("13TH") and not a
 * fraction (which only follows a number). */
static bool is_housenum(const atok *t)
{
    long v;
    if (t->hash || !isdigit((unsigned char)t->s[0]) || strlen(t->s) >= 16)
        return false;
    if (strchr(t->s, '/') || digit_ordinal(t->s, &v)) return false;
    for (const char *p = t->s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-') return false;
    return true;
}

static bool is_fraction(const char *s)
{
    size_t a = strspn(s, "0123456789");
    if (a == 0 || s[a] != '/') return false;
    size_t b = strspn(s + a + 1, "0123456789");
    return b > 0 && s[a + 1 + b] == '\0';
}

/* 12345, 12345-6789 or 123456789. */
static bool is_zip(const char *s)
{
    size_t n = strlen(s);
    if (n == 5 || n == 9) return hx_all_digits(s);
    return n == 10 && s[5] == '-' && strspn(s, "0123456789") == 5 &&
           strspn(s + 6, "0123456789") == 4;
}

/* Something that can be a unit number: "4B", "A1", "208", "C". */
static bool value_like(const atok *t)
{
    if (t->hash) return false;
    if (strlen(t->s) == 1 && isalpha((unsigned char)t->s[0])) return true;
    return strpbrk(t->s, "0123456789") != NULL;
}

/* An ordinal said or written at token k ("2ND", "SECOND", "TWENTY FIRST"),
 * read with numwords; only alphabetic words of k's segment before `lim`
 * take part. Returns the tokens used, 0 if none. */
static int ordinal_at(const alex *lx, int k, int lim, long long *v)
{
    long dv;
    if (digit_ordinal(lx->t[k].s, &dv)) {
        *v = dv;
        return 1;
    }
    hx_tokens tk;
    tk.n = 0;
    for (int i = k; i < lim && tk.n < 8 && lx->t[i].seg == lx->t[k].seg &&
                    all_alpha(lx->t[i].s); i++)
        hx_ascii_lower(tk.t[tk.n++], HX_TOK_LEN, lx->t[i].s);
    hx_numword nw;
    if (tk.n == 0 || hx_numwords_read(&tk, 0, &nw) != 0 || !nw.ordinal)
        return 0;
    *v = nw.value;
    return nw.consumed;
}

static bool same_seg(const alex *lx, int a, int b)
{
    return a < lx->n && b < lx->n && lx->t[a].seg == lx->t[b].seg;
}

/* ------------------------------------------------------------------ */
/* Secondary units                                                      */
/* ------------------------------------------------------------------ */

typedef struct unit_hit {
    const char *type;
    char value[AT_LEN]; /* "" for a designator that stands alone */
} unit_hit;

/* A secondary unit at token k: "# 4", "APT 4B", "SUITE #200", "APT NO 4",
 * "2ND FLOOR", "REAR". Returns the tokens it spans, 0 if none. */
static int unit_at(const alex *lx, int k, int lim, unit_hit *u)
{
    unit_hit tmp;
    long long v;
    int m, used;
    if (!u) u = &tmp;
    if (k >= lim) return 0;
    if (lx->t[k].hash) {
        if (k + 1 < lim && same_seg(lx, k, k + 1) && value_like(&lx->t[k + 1])) {
            u->type = "#";
            snprintf(u->value, sizeof u->value, "%s", lx->t[k + 1].s);
            return 2;
        }
        return 0;
    }
    const unit_entry *e;
    if ((used = ordinal_at(lx, k, lim, &v)) > 0 && k + used < lim &&
        same_seg(lx, k, k + used) && (e = unit_find(lx->t[k + used].s)) != NULL &&
        strcmp(e->abbr, "FL") == 0) {
        u->type = "FL";
        snprintf(u->value, sizeof u->value, "%lld", v);
        return used + 1;
    }
    if ((e = unit_find(lx->t[k].s)) == NULL) return 0;
    m = k + 1;
    if (m < lim && same_seg(lx, k, m) &&
        (lx->t[m].hash || strcmp(lx->t[m].s, "NO") == 0) && m + 1 < lim &&
        value_like(&lx->t[m + 1]))
        m++;
    if (m < lim && same_seg(lx, k, m) && value_like(&lx->t[m])) {
        u->type = e->abbr;
        snprintf(u->value, sizeof u->value, "%s", lx->t[m].s);
        return m + 1 - k;
    }
    if (!e->needs_value && (k + 1 >= lx->n || !same_seg(lx, k, k + 1))) {
        u->type = e->abbr;
        u->value[0] = '\0';
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The street: [predir] name [suffix] [postdir]                         */
/* ------------------------------------------------------------------ */

typedef struct street {
    const char *predir;  /* NULL or abbreviation */
    int name0, name1;    /* name tokens [name0, name1) */
    int sfx;             /* suffix token, -1 if none */
    const char *postdir;
    int end;             /* first token after the street */
} street;

/* Where the street's words stop: a comma, '#', a unit, or the last line. */
static int street_run_end(const alex *lx, int s, int lim, bool *hard)
{
    int k = s;
    while (k < lim && same_seg(lx, s, k) && !lx->t[k].hash) {
        if (k > s && unit_at(lx, k, lim, NULL) > 0) break;
        k++;
    }
    *hard = k < lx->n && k < lim;
    if (k < lx->n && k == lim && !same_seg(lx, s, k)) *hard = true;
    return k;
}

/*
 * The suffix among words [s, e). Candidates are runs of suffix words with a
 * name word before their end; the first run holding a common suffix is
 * used, else the first run ("WEST MISSION BAY DR": MISSION is a C1 suffix
 * too, but DR is the street's). Within the run Pub 28 §234.2 takes the last
 * word; we do so when a comma or unit closes the street right after the
 * run. Otherwise more words may follow that belong to the city ("TENNIS PL
 * FOREST HILLS"), so the last common suffix in the run wins.
 */
static int suffix_in_run(const alex *lx, int s, int a, int b, int e, bool hard)
{
    if (b == e - 1 && hard) return b;
    for (int k = b; k >= a && k > s; k--)
        if (sfx_find(lx->t[k].s)->common) return k;
    return b;
}

static bool run_has_common(const alex *lx, int s, int a, int b)
{
    for (int k = a; k <= b; k++)
        if (k > s && sfx_find(lx->t[k].s)->common) return true;
    return false;
}

static int choose_suffix(const alex *lx, int s, int e, bool hard)
{
    int first = -1;
    for (int a = s; a < e;) {
        if (!tok_sfx(lx, a)) {
            a++;
            continue;
        }
        int b = a;
        while (b + 1 < e && tok_sfx(lx, b + 1)) b++;
        if (b > s) {
            if (run_has_common(lx, s, a, b))
                return suffix_in_run(lx, s, a, b, e, hard);
            if (first < 0) first = suffix_in_run(lx, s, a, b, e, hard);
        }
        a = b + 1;
    }
    return first;
}

/* A directional at k, possibly spelled in two words ("NORTH EAST").
 * Returns its abbreviation and the tokens used in *w. */
static const char *dir_at(const alex *lx, int k, int lim, int *w)
{
    const char *d;
    if (k >= lim || lx->t[k].hash || !(d = dir_abbr(lx->t[k].s))) return NULL;
    *w = 1;
    if ((!strcmp(lx->t[k].s, "NORTH") || !strcmp(lx->t[k].s, "SOUTH")) &&
        k + 1 < lim && same_seg(lx, k, k + 1) &&
        (!strcmp(lx->t[k + 1].s, "EAST") || !strcmp(lx->t[k + 1].s, "WEST"))) {
        *w = 2;
        return lx->t[k].s[0] == 'N'
                   ? (lx->t[k + 1].s[0] == 'E' ? "NE" : "NW")
                   : (lx->t[k + 1].s[0] == 'E' ? "SE" : "SW");
    }
    return d;
}

/* True if token k is where the street has certainly ended. */
static bool boundary(const alex *lx, int k, int lim, int seg_of)
{
    return k >= lim || !same_seg(lx, seg_of, k) || lx->t[k].hash ||
           unit_at(lx, k, lim, NULL) > 0;
}

/*
 * A leading directional at s0 (w words) is the predirectional unless it is
 * the street's whole name: when reading it as a name puts the suffix right
 * after it ("89 SOUTH ST", "89 SOUTH ST BROOKLYN", "E ST NW"). "104 N AVE
 * 56" keeps N as predirectional: a suffix word followed by a number is a
 * numbered street ("AVENUE 56").
 */
static bool dir_is_name(const alex *lx, int s0, int w, int lim)
{
    bool hard;
    int nx = s0 + w;
    if (boundary(lx, nx, lim, s0)) return true;
    int e = street_run_end(lx, s0, lim, &hard);
    if (choose_suffix(lx, s0, e, hard) != nx) return false;
    return !(nx + 1 < e && hx_all_digits(lx->t[nx + 1].s));
}

/* A postdirectional right after the suffix: an abbreviation always, a
 * spelled word only where the street ends ("... RD NORTHEAST", "... BLVD
 * NORTH B"), so "... ST NORTH HILLS" leaves the city alone. */
static const char *postdir_at(const alex *lx, int k, int lim, int seg_of, int *w)
{
    const char *d = dir_at(lx, k, lim, w);
    if (!d || !same_seg(lx, seg_of, k)) return NULL;
    if (*w == 1 && strcmp(lx->t[k].s, d) == 0) return d;
    int after = k + *w;
    if (boundary(lx, after, lim, seg_of) || is_zip(lx->t[after].s)) return d;
    /* "PETALUMA BLVD NORTH B": a bare unit may still follow */
    if (value_like(&lx->t[after]) && !dir_abbr(lx->t[after].s) &&
        boundary(lx, after + 1, lim, seg_of))
        return d;
    return NULL;
}

static void scan_street(const alex *lx, int s0, int lim, street *st)
{
    int s = s0, w = 0;
    bool hard;
    memset(st, 0, sizeof *st);
    st->sfx = -1;
    const char *d = dir_at(lx, s0, lim, &w);
    if (d && !dir_is_name(lx, s0, w, lim)) {
        st->predir = d;
        s = s0 + w;
    }
    int e = street_run_end(lx, s, lim, &hard);
    st->name0 = s;
    st->sfx = choose_suffix(lx, s, e, hard);
    if (st->sfx >= 0) {
        st->name1 = st->sfx;
        st->end = st->sfx + 1;
        if ((st->postdir = postdir_at(lx, st->end, lim, st->sfx, &w)) != NULL)
            st->end += w;
        return;
    }
    /* No suffix: a trailing directional after a name is the postdir
     * ("BROADWAY E"); the rest is the name ("EL CAMINO REAL"). */
    st->name1 = st->end = e;
    if (e - s >= 2 && lx->t[e - 1].seg == lx->t[s].seg &&
        (d = dir_abbr(lx->t[e - 1].s)) != NULL) {
        st->postdir = d;
        st->name1 = e - 1;
    }
}

/* ------------------------------------------------------------------ */
/* Building the street name                                             */
/* ------------------------------------------------------------------ */

static bool no_expand(const char *w)
{
    for (size_t i = 0; i < COUNT(NO_EXPAND); i++)
        if (strcmp(w, NO_EXPAND[i]) == 0) return true;
    return false;
}

static int append(char *dst, size_t cap, const char *word)
{
    size_t n = strlen(dst), m = strlen(word);
    if (n + (n > 0) + m + 1 > cap) return -1;
    if (n > 0) dst[n++] = ' ';
    memcpy(dst + n, word, m + 1);
    return 0;
}

/* One name word as Pub 28 writes it; `first`/`more` tell its position. */
static const char *name_word(const char *w, bool first, bool more)
{
    const sfx_entry *e;
    if (first && more && strcmp(w, "ST") == 0) return "SAINT";
    if (first && more && strcmp(w, "DR") == 0) return "DOCTOR";
    if ((e = sfx_find(w)) != NULL && strcmp(w, e->std) == 0 &&
        strcmp(e->std, e->primary) != 0 && !no_expand(w))
        return e->primary;
    return w;
}

/* Name tokens [a, b) into out: ordinals as digits ("FIFTH" -> 5TH), a bare
 * number before a suffix as an ordinal ("161 ST" -> 161ST ST), abbreviated
 * suffix words spelled out, a leading ST as SAINT. */
static int build_name(const alex *lx, int a, int b, bool has_sfx,
                      char *out, size_t cap, char *why)
{
    char num[32];
    long long v;
    out[0] = '\0';
    for (int i = a; i < b;) {
        const char *w = lx->t[i].s;
        int used = ordinal_at(lx, i, b, &v);
        if (lx->t[i].hash) {
            return fail(why, "'#' inside the street name");
        } else if (used > 0) {
            snprintf(num, sizeof num, "%lld%s", v, ord_suffix(v));
            w = num;
        } else if (has_sfx && i == b - 1 && hx_all_digits(w) && strlen(w) <= 9) {
            v = strtol(w, NULL, 10);
            snprintf(num, sizeof num, "%lld%s", v, ord_suffix(v));
            w = num;
            used = 1;
        } else {
            w = name_word(w, i == a, i + 1 < b);
            used = 1;
        }
        if (append(out, cap, w)) return fail(why, "street name too long");
        i += used;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The last line: city, state, ZIP                                      */
/* ------------------------------------------------------------------ */

/* "UNITED STATES [OF AMERICA]", "USA", or "US" after a ZIP or a comma:
 * returns the tokens to drop from the end of [from, to). */
static int country_len(const alex *lx, int from, int to)
{
    static const char *const FORMS[][4] = {
        {"UNITED", "STATES", "OF", "AMERICA"}, {"UNITED", "STATES", NULL, NULL},
        {"USA", NULL, NULL, NULL}, {"US", NULL, NULL, NULL}};
    for (size_t f = 0; f < COUNT(FORMS); f++) {
        int len = 0;
        while (len < 4 && FORMS[f][len]) len++;
        int at = to - len;
        if (at <= from) continue;
        bool ok = true;
        for (int i = 0; i < len && ok; i++)
            ok = strcmp(lx->t[at + i].s, FORMS[f][i]) == 0;
        if (!ok) continue;
        if (len == 1 && strcmp(FORMS[f][0], "US") == 0 &&
            !is_zip(lx->t[at - 1].s) && same_seg(lx, at - 1, at))
            continue;
        return len;
    }
    return 0;
}

/* The state ending at `to` (exclusive), name or two-letter code, not
 * starting before `from`. Returns its token count and code, 0 if none. */
static int state_at_end(const alex *lx, int from, int to, const char **code)
{
    for (int len = 4; len >= 1; len--) {
        int at = to - len;
        if (at < from) continue;
        char buf[64] = "";
        bool ok = true;
        for (int i = at; i < to && ok; i++)
            ok = append(buf, sizeof buf, lx->t[i].s) == 0 && !lx->t[i].hash;
        if (!ok) continue;
        for (size_t s = 0; s < COUNT(STATES); s++) {
            if ((STATES[s].name && strcmp(buf, STATES[s].name) == 0) ||
                (len == 1 && strcmp(buf, STATES[s].code) == 0)) {
                *code = STATES[s].code;
                return len;
            }
        }
    }
    return 0;
}

/* A ZIP at token k: five or nine digits not written as a unit number
 * ("# 15212", "SUITE 12345"). */
static bool zip_at(const alex *lx, int k)
{
    if (!is_zip(lx->t[k].s)) return false;
    return k == 0 || !(lx->t[k - 1].hash || unit_find(lx->t[k - 1].s));
}

/* Where the ZIP (and the state before it) start, so the street cannot run
 * into them: "6 RUE GUSTAVE CHARPENTIER 75017". Without a ZIP, n. */
static int last_line_start(const alex *lx)
{
    const char *code;
    int end = lx->n - country_len(lx, 0, lx->n);
    if (end < 2 || !zip_at(lx, end - 1)) return lx->n;
    int z = end - 1;
    int sl = state_at_end(lx, 1, z, &code);
    return z - sl;
}

/* City words as written, but a leading ST/MT/FT spelled out as in street
 * names: "ST LOUIS" = "SAINT LOUIS". */
static int build_city(const alex *lx, int a, int b, char *out, size_t cap, char *why)
{
    out[0] = '\0';
    for (int i = a; i < b; i++) {
        const char *w = lx->t[i].s;
        if (lx->t[i].hash) return fail(why, "'#' without a unit number");
        if (i == a && i + 1 < b) {
            if (strcmp(w, "ST") == 0) w = "SAINT";
            else if (strcmp(w, "MT") == 0) w = "MOUNT";
            else if (strcmp(w, "FT") == 0) w = "FORT";
        }
        if (append(out, cap, w)) return fail(why, "city text too long");
    }
    return 0;
}

static void set_zip(char zip[11], const char *s)
{
    if (strlen(s) == 9)
        snprintf(zip, 11, "%.5s-%.4s", s, s + 5);
    else
        snprintf(zip, 11, "%s", s);
}

/* Tokens [a, n): [city] [state] [ZIP] [country]. A state needs a ZIP after
 * it or a city before it; alone it is the city ("Washington"). */
static int parse_last_line(const alex *lx, int a, hx_address *out, char *why)
{
    const char *code = NULL;
    int b = lx->n - country_len(lx, a, lx->n);
    if (b > a && zip_at(lx, b - 1)) {
        set_zip(out->zip, lx->t[b - 1].s);
        b--;
    }
    int sl = state_at_end(lx, a, b, &code);
    if (sl > 0 && (out->zip[0] || b - sl > a)) {
        snprintf(out->state, sizeof out->state, "%s", code);
        b -= sl;
    }
    return build_city(lx, a, b, out->city, sizeof out->city, why);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

static bool has_po_box(const alex *lx)
{
    for (int i = 0; i + 1 < lx->n; i++) {
        if (strcmp(lx->t[i + 1].s, "BOX") != 0) continue;
        if (strcmp(lx->t[i].s, "PO") == 0) return true;
        if (i > 0 && !strcmp(lx->t[i - 1].s, "POST") && !strcmp(lx->t[i].s, "OFFICE"))
            return true;
    }
    return false;
}

/* A word that can open a street name after a house number. */
static bool street_opens(const atok *t)
{
    long v;
    if (t->hash) return false;
    return isalpha((unsigned char)t->s[0]) || (unsigned char)t->s[0] >= 0x80 ||
           digit_ordinal(t->s, &v);
}

/* Index after the house number at i, taking a fraction: "123 1/2". */
static int number_end(const alex *lx, int i)
{
    if (i + 1 < lx->n && same_seg(lx, i, i + 1) && is_fraction(lx->t[i + 1].s))
        return i + 2;
    return i + 1;
}

/*
 * The house number: the first number followed by a street whose suffix is
 * common, else by any suffix, else by any street in its segment, else a
 * number alone in its segment before a street ("49-51, Jalan Hang Lekiu").
 * Ranking rather than taking the first number lets a building line come
 * first: "4, Tower Support Bldg, 1150 Veterans Boulevard".
 */
static int pick_house_number(const alex *lx, int lim)
{
    int best = -1, best_rank = 0;
    for (int i = 0; i < lim; i++) {
        int rank, j;
        street st;
        if (!is_housenum(&lx->t[i])) continue;
        j = number_end(lx, i);
        if (j >= lim || !street_opens(&lx->t[j])) continue;
        if (same_seg(lx, i, j)) {
            scan_street(lx, j, lim, &st);
            rank = st.sfx < 0 ? 2 : sfx_find(lx->t[st.sfx].s)->common ? 4 : 3;
        } else if (i == 0 || !same_seg(lx, i - 1, i)) {
            rank = 1;
        } else {
            continue;
        }
        if (rank > best_rank) {
            best = i;
            best_rank = rank;
        }
    }
    return best;
}

static int copy_field(char *dst, size_t cap, const char *src, const char *what, char *why)
{
    if (strlen(src) >= cap) return fail(why, "%s too long: %s", what, src);
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int set_unit(hx_address *out, const unit_hit *u, char *why)
{
    if (out->unit_type[0]) return fail(why, "two secondary units");
    snprintf(out->unit_type, sizeof out->unit_type, "%s", u->type);
    return copy_field(out->unit, sizeof out->unit, u->value, "unit", why);
}

/* Text before the house number: a unit if it is exactly one ("Apt 4,"),
 * else kept verbatim as the place. */
static int parse_place(const alex *lx, int h, hx_address *out, char *why)
{
    unit_hit u;
    if (h == 0) return 0;
    if (unit_at(lx, 0, h, &u) == h) return set_unit(out, &u, why);
    for (int i = 0; i < h; i++)
        if (append(out->place, sizeof out->place, lx->t[i].s))
            return fail(why, "text before the house number too long");
    return 0;
}

/* Without a house number only "<name> <common suffix>", optionally with a
 * comma-separated city, is a street; everything else is a venue or a
 * phrase, and we refuse rather than guess. */
static int check_numberless(const alex *lx, const street *st, char *why)
{
    bool ord;
    long long v;
    char low[AT_LEN];
    hx_ascii_lower(low, sizeof low, lx->t[0].s);
    if (ordinal_at(lx, 0, lx->n, &v) == 0 && hx_numword_small(low, &ord) >= 0 && !ord)
        return fail(why, "house number in words is ambiguous "
                         "(\"one twenty three\" = 123 or 1 Twenty-Three?): "
                         "write it in digits");
    for (int i = 0; i < st->end; i++)
        if (strcmp(lx->t[i].s, "AND") == 0)
            return fail(why, "an intersection, not a street address");
    if (st->sfx < 0 || !sfx_find(lx->t[st->sfx].s)->common)
        return fail(why, "no house number and no street suffix: "
                         "not a street address");
    if (st->end < lx->n && same_seg(lx, st->end - 1, st->end) &&
        unit_at(lx, st->end, lx->n, NULL) == 0)
        return fail(why, "no house number, and words follow the street: "
                         "not a street address");
    return 0;
}

/* A unit after the street: designated, or a bare value right after it
 * ("TELEGRAPH AVE D") which Pub 28 §213 writes with '#'. */
static int parse_units(const alex *lx, int j, int lim, hx_address *out, char *why)
{
    unit_hit u;
    int used;
    for (;;) {
        if ((used = unit_at(lx, j, lim, &u)) > 0) {
            if (set_unit(out, &u, why)) return -1;
            j += used;
            continue;
        }
        if (j > 0 && j < lim && !out->unit_type[0] && same_seg(lx, j - 1, j) &&
            value_like(&lx->t[j]) && !dir_abbr(lx->t[j].s)) {
            u.type = "#";
            snprintf(u.value, sizeof u.value, "%s", lx->t[j].s);
            if (set_unit(out, &u, why)) return -1;
            j++;
            continue;
        }
        return j;
    }
}

static int fill_street(const alex *lx, const street *st, hx_address *out, char *why)
{
    if (st->name1 <= st->name0) return fail(why, "no street name");
    if (st->predir) snprintf(out->predir, sizeof out->predir, "%s", st->predir);
    if (st->postdir) snprintf(out->postdir, sizeof out->postdir, "%s", st->postdir);
    if (st->sfx >= 0)
        snprintf(out->suffix, sizeof out->suffix, "%s", sfx_find(lx->t[st->sfx].s)->std);
    return build_name(lx, st->name0, st->name1, st->sfx >= 0, out->name,
                      sizeof out->name, why);
}

static int set_number(const alex *lx, int h, hx_address *out, char *why)
{
    char num[40];
    snprintf(num, sizeof num, "%s", lx->t[h].s);
    if (number_end(lx, h) == h + 2) {
        if (append(num, sizeof num, lx->t[h + 1].s)) return fail(why, "house number too long");
    }
    return copy_field(out->number, sizeof out->number, num, "house number", why);
}

int hx_address_parse(const char *in, hx_address *out, char why[256])
{
    char spare[HX_WHY_MAX];
    alex lx;
    street st;
    int h, j, lim;
    if (!why) why = spare;
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    if (!in) return fail(why, "no address");
    if (strlen(in) > IN_MAX) return fail(why, "too long for one address");
    if (lex(in, &lx, why)) return -1;
    if (lx.n == 0) return fail(why, "empty address");
    if (has_po_box(&lx)) return fail(why, "a PO box, not a street address");

    lim = last_line_start(&lx);
    h = pick_house_number(&lx, lim);
    if (h >= 0) {
        if (set_number(&lx, h, out, why) || parse_place(&lx, h, out, why)) return -1;
        scan_street(&lx, number_end(&lx, h), lim, &st);
    } else {
        scan_street(&lx, 0, lim, &st);
        if (check_numberless(&lx, &st, why)) return -1;
    }
    if (fill_street(&lx, &st, out, why)) return -1;
    if ((j = parse_units(&lx, st.end, lim, out, why)) < 0) return -1;
    return parse_last_line(&lx, j, out, why);
}

/* ------------------------------------------------------------------ */
/* Formatting                                                           */
/* ------------------------------------------------------------------ */

void hx_address_format(const hx_address *a, char *buf, size_t cap)
{
    const char *parts[] = {a->place, a->number, a->predir, a->name,
                           a->suffix, a->postdir, a->unit_type, a->unit,
                           a->city, a->state, a->zip};
    size_t k = 0;
    if (cap == 0) return;
    buf[0] = '\0';
    for (size_t i = 0; i < COUNT(parts); i++) {
        if (!parts[i][0]) continue;
        int w = snprintf(buf + k, cap - k, "%s%s", k ? " " : "", parts[i]);
        if (w < 0 || (size_t)w >= cap - k) return;  /* truncated, still NUL-ended */
        k += (size_t)w;
    }
}

int hx_norm_address(const char *in, const hx_norm_ctx *ctx, hx_canon *out)
{
    hx_address a;
    char why[HX_WHY_MAX];
    char line[HX_CANON_MAX];
    (void)ctx;  /* addresses do not depend on the call's date or region */
    if (hx_address_parse(in, &a, why) != 0) return hx_canon_refuse(out, "%s", why);
    hx_address_format(&a, line, sizeof line);
    return hx_canon_set(out, "%s", line);
}

/* ------------------------------------------------------------------ */
/* Comparing                                                            */
/* ------------------------------------------------------------------ */

static void say(char *reason, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(char *reason, const char *fmt, ...)
{
    va_list ap;
    if (!reason) return;
    va_start(ap, fmt);
    vsnprintf(reason, HX_WHY_MAX, fmt, ap);
    va_end(ap);
}

/* Copy s without the characters in `drop`. */
static void strip(char *dst, size_t cap, const char *s, const char *drop)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        if (!strchr(drop, *s)) dst[k++] = *s;
    dst[k] = '\0';
}

static int levenshtein(const char *a, const char *b)
{
    int row[128];
    int n = (int)strlen(b);
    if (n > 127) n = 127;
    for (int j = 0; j <= n; j++) row[j] = j;
    for (int i = 1; a[i - 1]; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= n; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[n];
}

static bool name_matches(const char *exp, const char *act, int max_edits)
{
    char e[128], a[128];
    strip(e, sizeof e, exp, " ");
    strip(a, sizeof a, act, " ");
    if (strcmp(e, a) == 0) return true;
    if (strpbrk(e, "0123456789") || strpbrk(a, "0123456789")) return false;
    if (max_edits < 0) max_edits = 0;
    if (max_edits > 2) max_edits = 2;
    size_t len = strlen(e);
    if (len <= 3) max_edits = 0;
    else if (len <= 6 && max_edits > 1) max_edits = 1;
    return max_edits > 0 && levenshtein(e, a) <= max_edits;
}

/* One plain component: absent on the expected side = not checked. */
static bool field_ok(const char *what, const char *exp, const char *act, char *reason)
{
    if (!exp[0] || strcmp(exp, act) == 0) return true;
    if (!act[0]) say(reason, "%s missing: expected %s", what, exp);
    else say(reason, "%s differs: expected %s, got %s", what, exp, act);
    return false;
}

static bool unit_ok(const hx_address *e, const hx_address *a, char *reason)
{
    char ev[16], av[16];
    if (!e->unit_type[0] && !e->unit[0]) return true;
    const char *sep_e = e->unit[0] ? " " : "", *sep_a = a->unit[0] ? " " : "";
    if (!a->unit_type[0] && !a->unit[0]) {
        say(reason, "unit missing: expected %s%s%s", e->unit_type, sep_e, e->unit);
        return false;
    }
    strip(ev, sizeof ev, e->unit, "-");
    strip(av, sizeof av, a->unit, "-");
    if (strcmp(ev, av) != 0) {
        say(reason, "unit differs: expected %s%s%s, got %s%s%s", e->unit_type,
            sep_e, e->unit, a->unit_type, sep_a, a->unit);
        return false;
    }
    if (strcmp(e->unit_type, a->unit_type) != 0 && strcmp(e->unit_type, "#") != 0 &&
        strcmp(a->unit_type, "#") != 0) {
        say(reason, "unit type differs: expected %s%s%s, got %s%s%s", e->unit_type,
            sep_e, e->unit, a->unit_type, sep_a, a->unit);
        return false;
    }
    return true;
}

static bool zip_ok(const char *exp, const char *act, char *reason)
{
    if (!exp[0]) return true;
    if (strlen(exp) == 5 && strncmp(exp, act, 5) == 0) return true;
    return field_ok("zip", exp, act, reason);
}

bool hx_address_match(const hx_address *expected, const hx_address *actual,
                      int max_name_edits, char reason[256])
{
    const hx_address *e = expected, *a = actual;
    if (reason) reason[0] = '\0';
    if (!field_ok("place", e->place, a->place, reason) ||
        !field_ok("street number", e->number, a->number, reason) ||
        !field_ok("pre-directional", e->predir, a->predir, reason))
        return false;
    if (e->name[0] && !name_matches(e->name, a->name, max_name_edits)) {
        say(reason, "street name differs: expected %s, got %s", e->name,
            a->name[0] ? a->name : "(none)");
        return false;
    }
    return field_ok("street suffix", e->suffix, a->suffix, reason) &&
           field_ok("post-directional", e->postdir, a->postdir, reason) &&
           unit_ok(e, a, reason) &&
           field_ok("city", e->city, a->city, reason) &&
           field_ok("state", e->state, a->state, reason) &&
           zip_ok(e->zip, a->zip, reason);
}
