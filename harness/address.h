/*
 * address.h — US street addresses read, written and compared the USPS way.
 *
 * A showing agent says "1580 clayton road # 1", the model writes
 * "1580 Clayton Rd #1", the gold says "1580 Clayton Road # 1": one address.
 * This module parses such text into the components of USPS Publication 28
 * (number, directionals, street name, suffix, secondary unit, city, state,
 * ZIP), writes them back as the Pub 28 one-line standard form
 * ("1580 CLAYTON RD # 1", "123 N MAIN ST APT 4B SPRINGFIELD IL 62701"), and
 * compares two addresses component by component so a failure names the
 * part that differs. hx_norm_address (canon.h) is parse + format.
 *
 * Reading rules, in the order a reader of a failure needs them:
 *  - Punctuation is dropped ("St." = "ST", "Mary's" = "MARYS") except a
 *    hyphen or slash between digits ("123-01", "15099-A", "1/2"). A hyphen
 *    between words is a space ("Los Gatos-Saratoga" = "LOS GATOS SARATOGA");
 *    '&' is AND; dotted initials are one word ("D.C." = "DC"). Commas mark
 *    where the street may end and the city begin.
 *  - Suffixes follow Appendix C1; with several suffix words in a row only
 *    the last is the suffix (Pub 28 §234.2: "PARK AVENUE" = name PARK,
 *    suffix AVE). When no comma or unit ends the street, the last *common*
 *    suffix of that run wins instead (ST, AVE, RD, BLVD...), so
 *    "1 TENNIS PL FOREST HILLS" keeps FOREST HILLS as the city. A suffix
 *    word with no name before it is the name ("AVENUE OF THE AMERICAS",
 *    "HIGHWAY 101"); in name position the standard abbreviations are spelled
 *    out ("HWY 101" = "HIGHWAY 101", "MT DIABLO" = "MOUNT DIABLO").
 *  - "ST" opening a street or city name before another word is SAINT
 *    ("St. Mary's Street" = "SAINT MARYS ST", "St. Louis" = "SAINT LOUIS");
 *    "DR" there is DOCTOR.
 *  - A directional followed only by a suffix is the name ("89 South Street"
 *    = "89 SOUTH ST"); otherwise it is abbreviated ("NORTH" = "N").
 *  - Ordinal street names become digits: "Fifth" = "5TH", "Twenty-Third" =
 *    "23RD", and a bare number before a suffix gets its ordinal ending
 *    ("161 Street" = "161ST ST").
 *  - House numbers must be digits ("5B", "123-01", "123 1/2" kept). A house
 *    number said in words is refused: "one twenty three main street" may be
 *    123 Main or 1 Twenty-Three Main.
 *  - A value right after the street with no designator ("Telegraph Avenue
 *    D", "Mount Diablo Blvd B301") is a unit with the '#' designator, as
 *    Pub 28 §213 prescribes for an unknown designator.
 *  - Text after the street and unit is the city, then state (name or code)
 *    and ZIP; "United States"/"USA" at the end is dropped. A state alone
 *    after the street is read as a city ("123 Main St, Washington"), since
 *    city names that are state names are common and the state is not
 *    recoverable anyway. Foreign last lines are kept verbatim in the city
 *    ("... ETOBICOKE ONTARIO M9W 5E7 CANADA"); a trailing 5-digit postcode
 *    is read as a ZIP ("6 RUE GUSTAVE CHARPENTIER 75017").
 *  - Text before the house number (a building or venue: "Cira Centre
 *    South, 2929 Walnut Street") is kept verbatim in `place`, unless it is a
 *    unit ("Apt 4, 123 Main St").
 *  - The canonical line reads back to itself, except where only a comma
 *    told the street from the city after a rare suffix or a lone
 *    directional ("123 Oak Street Crossing, Springfield" gives "123 OAK
 *    STREET XING SPRINGFIELD", which rereads as suffix ST, city XING
 *    SPRINGFIELD). Compare parsed components when that matters.
 *  - With no house number, only a street ending in a common suffix with
 *    nothing after it but a comma-separated city is an address ("Lantana
 *    Road"); "Oracle Park", "Union Station", "none" are refused, and so are
 *    intersections ("13th and J Street") and PO boxes.
 *
 * Comparing: see hx_address_match.
 */
#ifndef HX_ADDRESS_H
#define HX_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hx_address {
    char number[16];      /* primary number "1580", "12-34", "123 1/2" */
    char predir[4];       /* N S E W NE NW SE SW */
    char name[128];       /* street name, uppercase, ordinals as 5TH */
    char suffix[8];       /* Pub 28 C1 abbreviation: ST AVE BLVD RD LN ... */
    char postdir[4];
    char unit_type[8];    /* APT STE UNIT BLDG FL RM # ... (C2) */
    char unit[16];
    char city[64];
    char state[4];        /* two-letter */
    char zip[11];         /* 12345 or 12345-6789 */
    char place[128];      /* text before the house number: building, venue */
} hx_address;

/* Parse `in` (UTF-8; non-ASCII bytes are kept inside words). Returns 0, or
 * -1 with a one-line reason in why (which may be NULL). */
int hx_address_parse(const char *in, hx_address *out, char why[256]);

/* The canonical one line: place, number, predir, name, suffix, postdir,
 * unit designator and value, city, state, ZIP, single-spaced, uppercase. */
void hx_address_format(const hx_address *a, char *buf, size_t cap);

/*
 * Compare component by component. Components absent on the EXPECTED side
 * are not checked (an expected "1580 Clayton Rd" matches an actual with
 * city/zip added); components present on the expected side must match on
 * the actual side. Returns true on match; on mismatch writes a one-line
 * reason naming the component (reason may be NULL), e.g.
 * "street number differs: expected 1580, got 1508" or
 * "unit missing: expected # 1".
 *
 * Street name: equal after removing spaces ("MAC ARTHUR" = "MACARTHUR"), or
 * within max_name_edits (clamped to 0..2) Levenshtein edits. Edits are never
 * allowed when either name holds a digit (4TH vs 5TH are different streets)
 * or the expected name has 3 letters or fewer (B ST vs C ST, ELM vs ELK);
 * names of 4 to 6 letters get at most 1.
 * Unit: the values must be equal (hyphens ignored: "A-1" = "A1"); the
 * designators must be equal unless either side is '#', which stands for
 * "designator not known" (Pub 28 §213), so "# 1" matches "APT 1" but
 * "APT 1" does not match "STE 1".
 * ZIP: an expected 5-digit ZIP matches an actual ZIP+4 with those 5 digits.
 */
bool hx_address_match(const hx_address *expected, const hx_address *actual,
                      int max_name_edits, char reason[256]);

#endif
