"""Territories of a release window (SPEC §3 Distribution): ISO 3166-1 alpha-2 codes, or ``WW``.

The codes are the 249 officially assigned ones of ISO 3166-1, as listed by Debian's iso-codes
4.15.0 (``/usr/share/iso-codes/json/iso_3166-1.json``); the list is kept here so the app reads
nothing outside the repository. ``WW`` (worldwide) covers every territory.
"""
from utils.validation import Field, FieldError

WORLDWIDE = "WW"
CODES = frozenset((
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE "
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC "
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA "
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
).split())
# What the original frontend's release screen shows for a worldwide window.
ALIASES = {"Worldwide": WORLDWIDE}
HINT = "must be an ISO 3166-1 alpha-2 country code (e.g. US, FR, GB) or WW for worldwide"


def covers(one, other):
    """True when two windows' territories meet: the same code, or either is worldwide."""
    return one == other or WORLDWIDE in (one, other)


class Territory(Field):
    """An assigned ISO 3166-1 alpha-2 code in capitals, or ``WW``; ``"Worldwide"`` means ``WW``."""

    def check(self, value):
        if not isinstance(value, str):
            raise FieldError(HINT)
        value = ALIASES.get(value.strip(), value.strip())
        if value != WORLDWIDE and value not in CODES:
            raise FieldError(HINT)
        return value

    def json_schema(self):
        return {"type": "string", "enum": [WORLDWIDE, *sorted(CODES), *ALIASES], "description": HINT}
