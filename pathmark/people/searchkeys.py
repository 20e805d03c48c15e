"""Search keys for people's names and phone numbers, and how close a typed name is to one.

Pure (no Django): the same functions fill the stored keys (`Person.name_key`, `phone_key`),
turn what a caseworker typed into search terms, and rank the candidates the database found,
so "Halla" finds "Hala", "ZAÏNAB" finds "Zainab", and "هالة" or "Hala" find each other.

A name key is the name's words folded (no case, no accents), and for each word in Arabic
script also its normalised Arabic form, a rough romanisation ("هالة" → "hala") and, marked
with "~", its consonant skeleton ("محمد" → "~mhmd"), which is how Arabic writes a name that
English spells "Mohammed", "Muhammad" or "Mohamed".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SKELETON_MARK = "~"
# A typed word matches a word of the key at least this similar (trigram Jaccard, as pg_trgm
# counts them): one letter doubled or dropped in a five-letter name still matches.
SIMILARITY_THRESHOLD = 0.5
PREFIX_MINIMUM = 2

# Letters that Arabic writes in several ways and that people type interchangeably.
_ARABIC_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "ـ": None,  # tatweel, a stretching stroke
    }
)

# One common way of writing each letter (after the folds above) in Latin letters. Short
# vowels are not written in Arabic, so the romanisation is rough; the skeleton does the rest.
_ROMAN = {
    "ا": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "w",
    "ي": "y",
    "ء": "",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
}
_VOWELS = frozenset("aeiouyw")
_WORD = re.compile(r"\w+")


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def fold(text: str) -> str:
    """Case- and accent-insensitive, with Arabic letter variants and marks folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return without_marks.casefold().translate(_ARABIC_FOLDS)


def romanise(word: str) -> str:
    """A folded Arabic-script word in Latin letters ("هاله" → "hala"); a trailing "ه" was
    most often "ة", which English writes "a"."""
    if word.endswith("ه") and len(word) > 2:
        word = word[:-1] + "ة"
    return "".join(_ROMAN.get(ch, "a" if ch == "ة" else ch) for ch in word)


def skeleton(latin: str) -> str:
    """The consonants of a Latin word, doubled letters once: "mohammed" → "mhmd"."""
    consonants = [ch for ch in latin if ch.isalpha() and ch not in _VOWELS]
    collapsed = [ch for i, ch in enumerate(consonants) if i == 0 or consonants[i - 1] != ch]
    return "".join(collapsed)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def name_key(*names: str) -> str:
    """The stored key of a person's names (name and preferred name)."""
    tokens: list[str] = []
    for word in (w for name in names for w in _words(name)):
        if _is_arabic(word):
            latin = romanise(word)
            tokens += [word, latin]
            if len(skeleton(latin)) >= 2:
                tokens.append(SKELETON_MARK + skeleton(latin))
        else:
            tokens.append(word)
    return " ".join(dict.fromkeys(tokens))


@dataclass(frozen=True)
class Term:
    """One typed word, in the forms it may take in a key."""

    forms: tuple[str, ...]
    skeleton: str


def terms(query: str) -> list[Term]:
    """What a typed name looks for: each word, and its other-script forms."""
    found: list[Term] = []
    for word in _words(query)[:5]:
        if _is_arabic(word):
            latin = romanise(word)
            found.append(Term(forms=(word, latin), skeleton=skeleton(latin)))
        else:
            found.append(Term(forms=(word,), skeleton=skeleton(word)))
    return found


def trigrams(word: str) -> set[str]:
    """The trigrams of a word as pg_trgm makes them: two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def _term_score(term: Term, key_words: list[str]) -> float:
    best = 0.0
    for word in key_words:
        if word.startswith(SKELETON_MARK):
            if len(term.skeleton) >= 3 and word[1:] == term.skeleton:
                best = max(best, 0.9)
            continue
        for form in term.forms:
            if word == form:
                return 1.0
            if len(form) >= PREFIX_MINIMUM and word.startswith(form):
                best = max(best, 0.95)
            else:
                best = max(best, similarity(form, word))
    return best


def score(query_terms: list[Term], key: str) -> float:
    """How well a key matches every typed word (the weakest word counts); 0 to 1."""
    if not query_terms:
        return 0.0
    key_words = key.split()
    return min(_term_score(term, key_words) for term in query_terms)


def matches(query_terms: list[Term], key: str) -> bool:
    return score(query_terms, key) >= SIMILARITY_THRESHOLD


def phone_key(phone: str) -> str:
    """A phone number as digits only, with a UK international prefix written as a national
    one ("+44 7700 900123" → "07700900123"), so any way of writing it finds the others."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") or digits.startswith("0044"):
        digits = "0" + digits[digits.index("44") + 2 :]
    return digits


_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def postcode_district(postcode: str) -> str:
    """The district of a UK postcode (its outward code: "NB1 4AA" → "NB1", "M14 5XY" →
    "M14"), or "" when it is not one. Coarse enough for reports to split by area (a
    district holds thousands of households) without saying where anyone lives."""
    code = "".join(postcode.split()).upper()
    outward = code[:-3] if len(code) >= 5 else code
    return outward if _OUTWARD.match(outward) else ""
