"""What a leaf category sells: its kind sets prices, currency, condition and photo counts.

Leaves of the shipped catalog are mapped explicitly (``LEAF_KINDS``); any other
catalog is recognised from the words of its slugs (``KIND_RULES``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """How listings of one kind of leaf look: prices, currency, condition, photos."""

    name: str
    family: str  # picks business names and description extras
    intro: str = "sale"
    currency: str = "UZS"
    price: tuple[float, float] = (100_000, 5_000_000)
    other_currency_share: float = 0.0  # share priced in the other currency (USD for UZS kinds and back)
    free_share: float = 0.0
    exchange_share: float = 0.01
    negotiable_share: float = 0.2
    condition: bool = True
    new_share: float = 0.3
    photos: tuple[float, ...] = (0.06, 0.22, 0.3, 0.22, 0.2)  # P(0, 1, 2, 3, 4 photos)
    share: float = 0.0  # fixed share of all listings, split over the kind's leaves (0: share the rest)


_K = Kind
KINDS = {
    k.name: k
    for k in [
        _K("cars", "transport", currency="USD", price=(3000, 40000), other_currency_share=0.05, negotiable_share=0.45,
           new_share=0.06, share=0.15),
        _K("moto", "transport", currency="USD", price=(600, 9000), other_currency_share=0.3, negotiable_share=0.3),
        _K("trucks", "transport", currency="USD", price=(6000, 90000), other_currency_share=0.1, negotiable_share=0.4,
           new_share=0.08),
        _K("machinery", "transport", currency="USD", price=(5000, 80000), other_currency_share=0.15,
           negotiable_share=0.4, new_share=0.1),
        _K("car_parts", "transport", price=(80_000, 6_000_000), new_share=0.45),
        _K("transport_other", "transport", price=(1_000_000, 40_000_000)),
        _K("apartment_sale", "realty", currency="USD", price=(15000, 250000), other_currency_share=0.02,
           negotiable_share=0.4, condition=False, photos=(0.03, 0.07, 0.2, 0.3, 0.4), share=0.09),
        _K("apartment_rent", "realty", intro="rent", currency="USD", price=(200, 1500), other_currency_share=0.3,
           negotiable_share=0.2, condition=False, photos=(0.05, 0.1, 0.25, 0.3, 0.3), share=0.02),
        _K("apartment_daily", "realty", intro="rent", price=(250_000, 900_000), other_currency_share=0.2,
           negotiable_share=0.1, condition=False, photos=(0.02, 0.08, 0.2, 0.3, 0.4), share=0.01),
        _K("house", "realty", currency="USD", price=(25000, 400000), other_currency_share=0.02, negotiable_share=0.45,
           condition=False, photos=(0.04, 0.1, 0.2, 0.3, 0.36)),
        _K("house_rent", "realty", intro="rent", currency="USD", price=(300, 2500), other_currency_share=0.3,
           condition=False),
        _K("land", "realty", currency="USD", price=(4000, 120000), other_currency_share=0.05, negotiable_share=0.5,
           condition=False, photos=(0.2, 0.4, 0.3, 0.1, 0.0)),
        _K("commercial", "realty", currency="USD", price=(15000, 600000), other_currency_share=0.05,
           negotiable_share=0.4, condition=False),
        _K("garage", "realty", currency="USD", price=(2000, 15000), other_currency_share=0.2, condition=False,
           photos=(0.3, 0.4, 0.3, 0.0, 0.0)),
        _K("phones", "electronics", price=(900_000, 16_000_000), other_currency_share=0.05, exchange_share=0.04,
           new_share=0.25, share=0.125),
        _K("tablets", "electronics", price=(1_200_000, 12_000_000), other_currency_share=0.05, exchange_share=0.03),
        _K("laptops", "electronics", price=(2_500_000, 25_000_000), other_currency_share=0.1, exchange_share=0.02),
        _K("computers", "electronics", price=(300_000, 18_000_000), other_currency_share=0.05),
        _K("tv", "electronics", price=(400_000, 12_000_000), new_share=0.35),
        _K("appliances", "electronics", price=(500_000, 10_000_000), new_share=0.4),
        _K("games", "electronics", price=(300_000, 9_000_000), exchange_share=0.06),
        _K("photo", "electronics", price=(1_000_000, 30_000_000), other_currency_share=0.15),
        _K("electronics_other", "electronics", price=(60_000, 4_000_000), new_share=0.5),
        _K("furniture", "home", price=(400_000, 15_000_000), new_share=0.45, free_share=0.02),
        _K("home_goods", "home", price=(40_000, 4_000_000), new_share=0.5, free_share=0.02),
        _K("garden", "home", price=(30_000, 6_000_000), new_share=0.6),
        _K("building", "home", price=(30_000, 8_000_000), new_share=0.7),
        _K("clothes", "fashion", price=(60_000, 2_500_000), new_share=0.55),
        _K("shoes", "fashion", price=(90_000, 1_800_000), new_share=0.6),
        _K("accessories", "fashion", price=(50_000, 8_000_000), new_share=0.5),
        _K("beauty", "fashion", price=(40_000, 3_000_000), new_share=0.7),
        _K("kids", "kids", price=(40_000, 3_500_000), new_share=0.35, free_share=0.03),
        _K("pets", "animals", price=(200_000, 6_000_000), free_share=0.08, exchange_share=0.0, condition=False),
        _K("pet_goods", "animals", price=(30_000, 1_500_000), new_share=0.7),
        _K("farm", "animals", price=(300_000, 30_000_000), exchange_share=0.0, condition=False),
        _K("sport", "hobby", price=(100_000, 9_000_000), new_share=0.35),
        _K("music", "hobby", price=(200_000, 15_000_000), new_share=0.25),
        _K("books", "hobby", price=(15_000, 400_000), new_share=0.3, free_share=0.04),
        _K("collectibles", "hobby", price=(50_000, 20_000_000), condition=False),
        _K("tickets", "hobby", price=(80_000, 3_000_000), condition=False, photos=(0.5, 0.5, 0, 0, 0)),
        _K("business", "business", price=(1_000_000, 150_000_000), other_currency_share=0.2, new_share=0.3),
        _K("business_sale", "business", price=(100_000_000, 1_000_000_000), other_currency_share=0.3,
           exchange_share=0.0, negotiable_share=0.6, condition=False),
        _K("jobs", "jobs", intro="vacancy", price=(2_500_000, 15_000_000), other_currency_share=0.03,
           exchange_share=0.0, negotiable_share=0.25, condition=False, photos=(0.7, 0.3, 0, 0, 0)),
        _K("services", "services", intro="service", price=(50_000, 2_000_000), exchange_share=0.0,
           negotiable_share=0.5, condition=False, photos=(0.3, 0.4, 0.2, 0.1, 0)),
        _K("free", "other", intro="free", free_share=1.0, exchange_share=0.0, new_share=0.05),
        _K("exchange", "other", intro="exchange", exchange_share=1.0),
        _K("generic", "other", price=(50_000, 8_000_000)),
    ]
}  # fmt: skip

# The shipped catalog, leaf slug (ru) -> kind; a trailing "*" matches a prefix.
LEAF_KINDS = {
    "legkovye-avtomobili": "cars", "mototehnika": "moto", "gruzovye-avtomobili": "trucks", "avtobusy": "trucks",
    "spetstehnika": "machinery", "selhoztehnika": "machinery", "avtozapchasti": "car_parts", "shiny-i-diski": "car_parts",
    "prodazha-kvartir": "apartment_sale", "arenda-kvartir": "apartment_rent",
    "posutochnaya-arenda-kvartir": "apartment_daily", "prodazha-domov": "house", "arenda-domov": "house_rent",
    "zemelnye-uchastki": "land", "kommercheskaya-nedvizhimost": "commercial", "garazhi-i-stoyanki": "garage",
    "telefony-*": "phones", "aksessuary-dlya-telefonov": "electronics_other", "planshety": "tablets",
    "noutbuki": "laptops", "kompyutery": "computers", "komplektuyuschie-i-monitory": "computers", "televizory": "tv",
    "audiotehnika": "tv", "foto-i-videokamery": "photo", "igrovye-pristavki": "games", "bytovaya-tehnika": "appliances",
    "rabota-*": "jobs",
    "mebel": "furniture", "interer-i-kovry": "home_goods", "stroitelstvo-i-remont": "building", "instrumenty": "building",
    "sad-i-ogorod": "garden", "posuda-i-kuhonnaya-utvar": "home_goods", "komnatnye-rasteniya": "garden",
    "detskaya-*": "kids", "detskie-*": "kids", "igrushki": "kids", "tovary-dlya-shkolnikov": "kids",
    "prochie-detskie-tovary": "kids",
    "zhenskaya-odezhda": "clothes", "muzhskaya-odezhda": "clothes", "natsionalnaya-odezhda": "clothes",
    "svadebnye-naryady": "clothes", "zhenskaya-obuv": "shoes", "muzhskaya-obuv": "shoes",
    "chasy-i-aksessuary": "accessories", "ukrasheniya-i-bizhuteriya": "accessories", "krasota-i-zdorove": "beauty",
    "sporttovary": "sport", "velosipedy": "sport", "turizm-ohota-i-rybalka": "sport", "muzykalnye-instrumenty": "music",
    "knigi-i-zhurnaly": "books", "kollektsionirovanie-i-antikvariat": "collectibles", "bilety-i-meropriyatiya": "tickets",
    "sobaki": "pets", "koshki": "pets", "ptitsy": "pets", "akvariumistika": "pets", "drugie-zhivotnye": "pets",
    "selhoz-zhivotnye": "farm", "zootovary": "pet_goods",
    "uslugi-*": "services", "perevozki": "services", "remont-tehniki": "services", "obuchenie-i-kursy": "services",
    "prazdniki-i-meropriyatiya": "services", "prochie-uslugi": "services",
    "oborudovanie-dlya-biznesa": "business", "prodazha-biznesa": "business_sale",
}  # fmt: skip

# Other catalogs: the first rule whose tokens all start words of the slugs wins; the leaf is tried first.
KIND_RULES: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    ("free", (("darom",), ("bepul",), ("free",), ("tekin",))),
    ("exchange", (("obmen",), ("almash",), ("exchange",))),
    ("jobs", (("vakans",), ("rabot",), ("vacanc",), ("job",), ("ish",), ("rezyum",), ("resume",))),
    ("services", (("uslug",), ("xizmat",), ("servic",))),
    ("car_parts", (("zapchast",), ("ehtiyot",), ("parts",), ("shin",), ("disk",))),
    ("moto", (("moto",), ("skuter",), ("mopedy",))),
    ("trucks", (("gruzov",), ("truck",), ("yuk",), ("avtobus",))),
    ("machinery", (("spetstehn",), ("spectehn",), ("spetstex",), ("selhoztehn",), ("traktor",))),
    ("cars", (("legkov",), ("yengil",), ("avtomobil",), ("cars",), ("car",), ("mashina",))),
    ("apartment_daily", (("posutoch",), ("kunlik",), ("daily",))),
    ("apartment_rent", (("kvartir", "arend"), ("kvartir", "ijar"), ("apartment", "rent"))),
    ("house_rent", (("dom", "arend"), ("hovli", "ijar"), ("house", "rent"))),
    ("apartment_sale", (("kvartir",), ("xonadon",), ("apartment",), ("flat",))),
    ("land", (("uchast",), ("zemel",), ("land",))),
    ("garage", (("garazh",), ("garaj",), ("garage",), ("stoyank",))),
    ("commercial", (("kommerch",), ("tijorat",), ("commercial",), ("ofis",), ("pomeshch",))),
    ("house", (("doma",), ("dom",), ("hovli",), ("house",), ("dach",), ("kottedzh",))),
    ("phones", (("mobiln",), ("smartfon",), ("telefon",), ("phone",))),
    ("tablets", (("planshet",), ("tablet",))),
    ("laptops", (("noutbuk",), ("laptop",))),
    ("computers", (("kompyuter",), ("computer",), ("monitor",), ("orgtehnik",))),
    ("games", (("igrov",), ("pristavk",), ("konsol",), ("game",))),
    ("photo", (("foto",), ("kamer",), ("camera",))),
    ("tv", (("televiz",), ("tv",), ("audio",), ("video",))),
    ("appliances", (("bytov",), ("maishiy",), ("appliance",), ("holodil",), ("klimat",))),
    ("electronics_other", (("elektron",), ("electronic",), ("gadjet",))),
    ("furniture", (("mebel",), ("furniture",))),
    ("garden", (("sad",), ("bog",), ("garden",), ("rasteni",))),
    ("building", (("stroit",), ("remont",), ("qurilish",), ("instrument",), ("tools",), ("build",))),
    ("home_goods", (("interer",), ("posud",), ("dom",), ("uy",), ("home",), ("tekstil",))),
    ("shoes", (("obuv",), ("poyabzal",), ("shoe",))),
    ("beauty", (("krasot",), ("beauty",), ("kosmet",), ("parfum",))),
    ("accessories", (("aksessuar",), ("chasy",), ("soat",), ("ukrash",), ("sumk",), ("accessor",))),
    ("clothes", (("odezhd",), ("kiyim",), ("cloth",), ("fashion",), ("moda",))),
    ("kids", (("detsk",), ("bolalar",), ("kids",), ("child",), ("igrushk",))),
    ("farm", (("selskohoz",), ("selhoz",), ("chorva",), ("farm",), ("skot",))),
    ("pets", (("zhivotn",), ("hayvon",), ("animal",), ("pet",), ("sobak",), ("koshk",))),
    ("music", (("muzyk",), ("musiq",), ("music",))),
    ("books", (("knig",), ("kitob",), ("book",))),
    ("tickets", (("bilet",), ("chipta",), ("ticket",))),
    ("collectibles", (("kollekts",), ("antikv",), ("collect",))),
    ("sport", (("sport",), ("velo",), ("hobbi",), ("hobby",), ("turizm",))),
    ("business", (("biznes",), ("business",), ("oborudovan",), ("equipment",))),
    ("transport_other", (("transport",),)),
]  # fmt: skip


def detect_kind(slugs_leaf_first: Sequence[Iterable[str]]) -> Kind:
    """The kind of a leaf from its slugs (one entry per node: the leaf's slugs first, then its ancestors')."""
    leaf_slugs = list(slugs_leaf_first[0]) if slugs_leaf_first else []
    for slug in leaf_slugs:
        if slug in LEAF_KINDS:
            return KINDS[LEAF_KINDS[slug]]
        for pattern, kind in LEAF_KINDS.items():
            if pattern.endswith("*") and slug and slug.startswith(pattern[:-1]):
                return KINDS[kind]
    for slugs in slugs_leaf_first:
        words = [w for s in slugs if s for w in s.lower().split("-") if w]
        for kind, alternatives in KIND_RULES:
            for tokens in alternatives:
                if all(any(w.startswith(t) for w in words) for t in tokens):
                    return KINDS[kind]
    return KINDS["generic"]
