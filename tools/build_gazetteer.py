"""Build data/gazetteer.json, the country gazetteer, from the countryinfo package.

countryinfo (MIT licence, https://github.com/porimol/countryinfo, data derived from
REST Countries) gives each country's name, alternative spellings, capital and demonym.
This script keeps sovereign-sized entries, adds the plural demonyms and the short
forms news prose uses (curated below), drops capitals that are common words or names,
and resolves any alias claimed twice in favour of the more populous country.

    .venv/bin/pip install countryinfo==1.0.1 && .venv/bin/python tools/build_gazetteer.py
"""
from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "gazetteer.json"
MIN_POPULATION = 90_000
KEEP_SMALL = {"Andorra", "Liechtenstein", "Monaco", "San Marino", "Marshall Islands", "Nauru", "Palau", "Tuvalu",
              "Saint Kitts and Nevis", "Dominica", "Vatican City"}
DROP = {"Antarctica", "Antilles néerlandaises", "Holy See (Vatican City State)", "Palestine, State of", "Kosovo",
        "Republic of Kosovo", "Macau", "Hong Kong", "Puerto Rico", "Guam", "Guadeloupe", "Martinique", "Mayotte",
        "Réunion", "French Guiana", "French Polynesia", "New Caledonia", "Western Sahara", "Virgin Islands, U.S.",
        "Aruba", "Curaçao", "Greenland", "Jersey", "Guernsey", "Isle of Man", "Bermuda", "Cayman Islands",
        "Faroe Islands", "Gibraltar", "Northern Mariana Islands", "American Samoa", "Serbia and Montenegro"}
RENAME = {
    "Vatican City State": "Vatican City",
    "Korea (Democratic People's Republic of)": "North Korea",
    "Macedonia": "North Macedonia",
    "Republic of Macedonia": "North Macedonia",
    "Swaziland": "Eswatini",
    "Republic of the Congo": "Republic of the Congo",
    "Democratic Republic of the Congo": "DR Congo",
    "Cape Verde": "Cape Verde",
    "Czech Republic": "Czech Republic",
    "East Timor": "Timor-Leste",
    "Ivory Coast": "Ivory Coast",
    "Syria": "Syria",
    "Laos": "Laos",
    "Brunei": "Brunei",
    "Republic of Kosovo": "Kosovo",
}
#: Short forms, abbreviations and adjectives news prose uses beyond name/demonym.
EXTRA = {
    "United States": ["US", "U.S.", "USA", "U.S.A.", "United States of America", "America", "Americans"],
    "United Kingdom": ["UK", "U.K.", "Britain", "Great Britain", "Briton", "Britons", "Brit", "Brits"],
    "Russia": ["Russian Federation", "Russians"],
    "China": ["People's Republic of China", "PRC", "Chinese"],
    "South Korea": ["Republic of Korea", "ROK", "South Koreans"],
    "North Korea": ["DPRK", "Democratic People's Republic of Korea", "North Koreans", "Pyongyang"],
    "Netherlands": ["Holland", "the Netherlands", "Dutch"],
    "DR Congo": [
        "DRC",
        "Democratic Republic of the Congo",
        "Congo-Kinshasa",
        "Kinshasa",
        "Zaire",
        "Zairean",
        "Zaireans",
    ],
    "Republic of the Congo": ["Congo-Brazzaville", "Brazzaville"],
    "United Arab Emirates": ["UAE", "U.A.E.", "Emirati", "Emiratis", "Abu Dhabi"],
    "Ivory Coast": ["Côte d'Ivoire", "Cote d'Ivoire", "Abidjan"],
    "Czech Republic": ["Czechia", "Czechs"],
    "Switzerland": ["Swiss"],
    "Philippines": ["Filipino", "Filipinos", "Philippine"],
    "Niger": ["Nigerien", "Nigeriens"],
    "Israel": ["Israelis"],
    "Iran": ["Islamic Republic of Iran"],
    "Syria": ["Syrian Arab Republic"],
    "Saudi Arabia": ["Saudi", "Saudis", "Riyadh"],
    "Turkey": ["Türkiye", "Turks", "Ankara"],
    "Vatican City": ["Vatican", "Holy See"],
    "Myanmar": ["Burma", "Burmese"],
    "Eswatini": ["Swaziland"],
    "North Macedonia": ["Macedonia"],
    "Timor-Leste": ["East Timor"],
    "Palestine": ["Palestinian", "Palestinians", "Palestinian territories"],
    "Taiwan": ["Taiwanese", "Taipei"],
    "New Zealand": ["NZ", "Kiwi", "Kiwis"],
    "Australia": ["Aussie", "Aussies"],
    "Germany": ["Germans"],
    "France": ["Frenchman", "Frenchmen"],
    # Former names, still met in older articles and archives.
    "Sri Lanka": ["Ceylon"],
    "Thailand": ["Siam"],
    "Zimbabwe": ["Rhodesia"],
    "Benin": ["Dahomey"],
    "Burkina Faso": ["Upper Volta"],
    "Cambodia": ["Kampuchea"],
}
#: Capitals that are also common words, names or other places: never a metonym here.
CAPITAL_DENYLIST = {"Male", "Victoria", "Kingston", "Georgetown", "Hamilton", "Sofia", "Douglas", "Stanley",
                    "Jamestown", "Plymouth", "Praia", "Roseau", "Basseterre", "Castries", "Saint John's",
                    "Nassau", "Avarua", "Alofi", "Apia", "Palikir", "Majuro", "Funafuti", "Ngerulmud",
                    "Melekeok", "Yaren", "Kingstown", "San Marino", "Monaco", "Andorra la Vella", "Vaduz", "Luxembourg",
                    "Singapore", "Vatican City", "Mexico City", "Guatemala City", "Panama City", "Kuwait City",
                    "Djibouti", "Tunis", "Algiers", "Belize City", "Belmopan", "Lima", "Santiago", "San José",
                    "San Salvador", "Valletta", "Port Louis", "Saint George's", "Bridgetown", "Port of Spain"}
#: Capitals kept despite the list above or added where the data lacks them.
CAPITAL_EXTRA = {"United States": ["Washington"], "Algeria": ["Algiers"], "Tunisia": ["Tunis"], "Chile": ["Santiago"],
                 "Peru": ["Lima"], "Israel": ["Jerusalem"], "Ivory Coast": ["Yamoussoukro"]}


def main() -> None:
    data_dir = resources.files("countryinfo") / "data"
    entries: dict[str, dict] = {}
    for f in sorted(data_dir.iterdir(), key=lambda p: p.name):
        if not f.name.endswith(".json"):
            continue
        d = json.loads(f.read_text(encoding="utf-8"))
        name = RENAME.get(d.get("name"), d.get("name"))
        if not name or name in DROP or "ISO" not in d:
            continue
        population = d.get("population") or 0
        if population < MIN_POPULATION and name not in KEEP_SMALL:
            continue
        if name in entries:
            continue
        names = {name} | {a for a in d.get("altSpellings", []) if len(a) > 3 and a.isascii() and "," not in a}
        demonym = (d.get("demonym") or "").strip()
        demonyms = set()
        if demonym:
            demonyms.add(demonym)
            if not demonym.endswith(("s", "ese", "ch", "sh", "i")):
                demonyms.add(demonym + "s")
        capital = d.get("capital") or ""
        capital = (capital[0] if isinstance(capital, list) and capital else str(capital)).replace(" D.C.", "").strip()
        capitals = {capital} if capital and capital not in CAPITAL_DENYLIST else set()
        capitals |= set(CAPITAL_EXTRA.get(name, []))
        entries[name] = {
            "name": name,
            "iso3": d["ISO"]["alpha3"],
            "population": population,
            "names": names | set(EXTRA.get(name, [])),
            "demonyms": demonyms,
            "capitals": capitals,
        }
    # An alias claimed twice goes to the more populous country.
    owner: dict[str, str] = {}
    for entry in sorted(entries.values(), key=lambda e: -e["population"]):
        for field in ("names", "demonyms", "capitals"):
            for alias in sorted(entry[field]):
                if alias in owner:
                    entry[field].discard(alias)
                else:
                    owner[alias] = entry["name"]
    countries = [
        {"name": e["name"], "iso3": e["iso3"], "names": sorted(e["names"]), "demonyms": sorted(e["demonyms"]),
         "capitals": sorted(e["capitals"])}
        for e in sorted(entries.values(), key=lambda e: e["name"])
    ]
    doc = {
        "about": "Countries with their names, short forms, demonyms and capitals (as metonyms). Built by "
                 "tools/build_gazetteer.py from the countryinfo package, with curated short forms.",
        "source": f"countryinfo {metadata.version('countryinfo')} (MIT licence, Copyright (c) 2018 Porimol Chandro; "
                  "data derived from REST Countries, MPL-2.0)",
        "countries": countries,
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} with {len(countries)} countries")


if __name__ == "__main__":
    main()
