"""Report -> entities: units, partners, powers, systems, programmes ... with every mention.

Recognition has two sources, and discovery does not depend on the lexicon:

* the lexicon (general policing vocabulary, lexicon.py), matched in one pass
  over the report's tokens;
* discovery by pattern: acronym definitions ("child abuse and vulnerable adults
  (CAVAA) unit"), names before head words ("Emerald team", "cyber hub",
  "search warrants", "Storm command and control system"), "Operation X",
  "Project X", "X's Law", "section 136 ...", "(called 'Inspire')", other
  forces named in a sentence about joint working, and places.

Candidates are then resolved (longest span wins), merged into one entity per
real thing (shared lexicon concept, acronym, or normalised name; "X team" =
"X unit"; "VSOMT" = "VSOM" + team), and every mention keeps its true offsets.
All work is over a token list built once, so the cost is linear in the text.
"""

from __future__ import annotations

import bisect
import gc
import re
from contextlib import contextmanager
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Optional

from peelkg.kg_build.lexicon import Concept, Lexicon, WORD_RE, load_lexicon, match_key
from peelkg.kg_build.sentences import soft_newline
from peelkg.kg_build.model import Entity, Mention, Report
from peelkg.kg_build.slugs import normalise, slugify

__all__ = ["extract_entities", "tokenise", "Token"]

@contextmanager
def paused_gc():
    """Run the block with the cyclic garbage collector off (restored after).

    Extraction allocates hundreds of thousands of small objects (a token per
    word) and no reference cycles worth collecting; every allocation burst would
    otherwise trigger collections that walk all live objects, including the
    reports built before, which roughly doubled the cost of tokenising."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------
# tokens

_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_SUP_VALUE = {c: str(i) for i, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_TOKEN_RE = re.compile(WORD_RE.pattern + r"|\n|[^\sA-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff" + _SUPERSCRIPTS + r"]")
_JOINERS = "-/\u2010\u2011"
_QUOTES = "'\"\u2018\u2019\u201c\u201d`"


class Token:
    """One word or punctuation mark of the report text."""

    __slots__ = ("text", "start", "end", "key", "word", "acr", "title")

    def __init__(self, text: str, start: int, key: str, word: bool, acr: bool, title: bool):
        self.text = text
        self.start = start
        self.end = start + len(text)
        self.key = key  # match key for words; the character itself for punctuation
        self.word = word
        self.acr = acr  # looks like an acronym ("MASHs", "ICAIT", "MoJ")
        self.title = title  # a word starting with a capital letter


_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_TOKEN_SPLIT_RE = re.compile("(" + _TOKEN_RE.pattern + ")")  # split() keeps the tokens
_WORD_INFO: dict[str, tuple[str, bool, bool, bool]] = {}


def _word_info(w: str) -> tuple[str, bool, bool, bool]:
    info = _WORD_INFO.get(w)
    if info is None:
        c = w[0]
        word = c.isalnum()
        if word:
            core = w[:-1] if w.endswith("s") and len(w) > 2 else w
            ups = sum(ch.isupper() for ch in core) if len(w) > 1 and (w[1].isupper() or c.isupper()) else 0
            acr = ups >= 2 and ups >= len(core) - 1 and c.isupper()
            info = (match_key(w), True, acr, c.isupper())
        else:
            info = (w, False, False, False)
        if len(_WORD_INFO) < 200_000:
            _WORD_INFO[w] = info
    return info


_BULLET_START = "-\u2022*\u00b7\u2013\u25aa\u25cf"




def tokenise(text: str) -> list[Token]:
    """Words and punctuation of the text. A hyphen or slash inside a word
    ("anti-social", "cannabis/khat") is dropped, so its parts are adjacent
    words; superscript footnote marks and web addresses are skipped."""
    # One C-level split gives every token and the text between tokens; the start
    # offsets are running sums of the part lengths (no per-token str.find or match
    # object). The loop below then only decides what to keep.
    parts = _TOKEN_SPLIT_RE.split(text)
    offsets = list(accumulate(map(len, parts)))  # offsets[2k] = start of token k = parts[2k + 1]
    out: list[Token] = []
    append = out.append
    n = len(text)
    urls = [m.span() for m in _URL_RE.finditer(text)]
    urls.append((n + 1, n + 1))
    ui = 0
    next_url = urls[0][0]
    info_get = _WORD_INFO.get
    quote_open = -1  # index of an opening quote token not yet closed
    for t, s in zip(parts[1::2], offsets[0::2]):
        if s >= next_url:  # a web address never holds a line break, so this may come first
            while urls[ui][1] <= s:
                ui += 1
            next_url = urls[ui][0]
            if next_url <= s:
                continue
        info = info_get(t) or _word_info(t)
        if info[1]:
            if quote_open >= 0 and t[-1] in "'\u2019" and len(out) - quote_open <= 8:
                # "‘what works’": a closing quote, not a plural possessive
                w = t[:-1]
                wi = info_get(w) or _word_info(w)
                append(Token(w, s, wi[0], wi[1], wi[2], wi[3]))
                append(Token(t[-1], s + len(t) - 1, t[-1], False, False, False))
                quote_open = -1
                continue
        elif t == "\n":  # punctuation is one character
            if soft_newline(text, s):
                continue  # a wrapped line inside a paragraph is just a space
            quote_open = -1
        elif t in _JOINERS:
            if 0 < s and s + 1 < n and text[s - 1].isalnum() and text[s + 1].isalnum():
                continue
        elif t in "\u2018'" and (s == 0 or not text[s - 1].isalnum()):
            quote_open = len(out)
        append(Token(t, s, info[0], info[1], info[2], info[3]))
    return out


# ---------------------------------------------------------------------------
# vocabularies of the patterns (general English of inspection reports)

# head word (match key) -> kind
HEADS = {
    "team": "unit", "unit": "unit", "hub": "unit", "desk": "unit", "department": "unit", "squad": "unit",
    "centre": "unit", "center": "unit", "bureau": "unit", "cell": "unit",
    "trust": "partner", "partnership": "partner", "concordat": "partner", "charity": "partner", "network": "partner",
    "order": "power", "notice": "power", "warrant": "power", "power": "power", "injunction": "power", "warning": "power",
    "system": "system", "database": "system", "tool": "system", "software": "system", "platform": "system", "model": "system",
    "app": "system",
    "programme": "programme", "program": "programme", "scheme": "programme", "strategy": "programme", "plan": "programme",
    "pilot": "programme", "initiative": "programme", "project": "programme", "campaign": "programme",
    "meeting": "meeting", "board": "meeting", "panel": "meeting", "conference": "meeting", "forum": "meeting",
    "committee": "meeting", "group": "meeting",
    "ordinator": "role", "coordinator": "role", "champion": "role",
}
UNIT_HEADS = {"team", "unit", "hub", "desk", "department", "squad", "centre", "center", "bureau", "cell"}
SUBKIND = {"order": "order", "notice": "notice", "warrant": "warrant", "power": "power", "injunction": "order",
           "warning": "notice", "system": "IT system", "database": "IT system", "software": "IT system",
           "platform": "IT system", "app": "IT system", "tool": "tool", "model": "model", "scheme": "scheme",
           "strategy": "strategy", "plan": "plan", "pilot": "project", "project": "project", "initiative": "project",
           "programme": "programme", "program": "programme", "campaign": "project", "law": "scheme",
           "operation": "operation", "trust": "organisation", "partnership": "multi-agency body",
           "concordat": "multi-agency body", "network": "network"}
# a "group" is a meeting only with one of these modifiers (organised crime groups are not)
GROUP_MODIFIERS = {"implementation", "gold", "silver", "bronze", "steering", "advisory", "working", "strategic",
                   "management", "scrutiny", "oversight", "reference", "action", "delivery", "governance", "tasking"}
PARTNER_WORDS = {"multi", "partnership", "partner", "joint", "inter", "regional", "national"}

STOP = set("""
a an the its it their his her our your my this that these those which who whom whose what each every all any some no
both either neither such of to from in on at by with for into onto within across between among amongst through via
about against over after before during without including like as than per upon under towards toward around near
or but nor so because while whilst although though if when where whether unless until since
is are was were be been being has have had do does did can could will would should must may might shall not
also only now then there here very more most less least much many few just even still yet already again
up out off down away back how why we they he she you i us them him me one and
known called named set use uses used using two three four five six seven eight nine ten eleven twelve
twenty thirty forty fifty hundred
""".split())
VERBS = set("""
visit visits support supports supported work works worked join joins lead leads led manage manages managed run runs
attend attends attended deploy deploys deployed fund funds refer refers referred create creates created establish
establishes established launch launches launched introduce introduces introduced form formed merge merged combine
combined combining allocate allocated assign assigned transfer transferred move moved contact contacts resource
resourced invest invested staff staffed task tasked involve involves involved include includes help helps brief
briefs value values monitor monitors review reviews reviewed expand expanded prepare prepared increase increased
increasing reduce reduced make makes made take takes took give gives gave provide provides provided see saw seen
found find finds told tell tells ask asked need needs needed want wanted know knew become became get gets got
receive receives received issue issues issued apply applies applied obtain obtained seek seeks sought consider
considers considered examine examines examined complete completes completed develop develops developed improve
improves improved ensure ensures ensured share shares shared hold holds held chair chairs chaired report reports
reported respond responds responded deal deals dealt administer administers contribute contributes contributed
execute executed draft drafted swear sworn explain understand understands plan plans planned aim aims aimed
""".split())
LY_OK = {"daily", "weekly", "monthly", "quarterly", "early", "family", "elderly", "assembly", "only"}
# modifiers that do not make a name on their own (and are dropped from the front of one)
GENERIC = set("""
new existing dedicated specialist specialised specialized other same right different several various own current
previous single separate whole entire relevant appropriate particular specific individual wider recent following
additional extra further main key good effective local regional national high risk high-risk investigative
operational county wide countywide force-wide legal court police force these such above below first second third
two three four five six seven eight nine ten multi agency multi-agency small large larger smaller busy overall
formal informal internal external central total average number range variety type kind part online urban
town city rural-urban
""".split())
# modifiers stripped from the front of a discovered name
LEAD_DROP = set("""
new existing dedicated specialist specialised specialized current previous single separate whole entire relevant
appropriate particular specific individual recent following additional extra further main own several various
other pilot proposed planned permanent temporary newly recently effective good strong successful established
developing growing active proactive small large busy clear comprehensive positive useful important valuable excellent
original online innovative well-established
""".split())
# system names: these trailing words do not distinguish one system from another
SYSTEM_TAIL = {"computer", "system", "database", "command", "and", "control", "record", "records", "management", "it",
               "model", "problem", "solving", "tool", "software", "platform", "data", "risk", "assessment", "process"}
ING_NOUNS = {"policing", "safeguarding", "offending", "missing", "training", "housing", "recording", "solving",
             "reporting", "counting", "sentencing", "funding", "tasking", "listening", "neighbouring", "engineering",
             "flagging", "processing", "vetting", "licensing", "planning", "building", "learning", "marketing",
             "offering", "trafficking", "stalking", "banking", "sharing", "profiling", "caring", "parking", "shopping",
             "gaming", "betting", "dating", "mapping", "monitoring", "tagging", "auditing", "timing", "wellbeing"}
OTHER_ORGS = {"hospital", "council", "university", "school", "prison", "nhs", "court", "ambulance", "fire", "college",
              "charity", "church", "bank", "company"}
MONTHS = set("january february march april may june july august september october november december".split())
PLACE_STOP = MONTHS | set("""the a an this that monday tuesday wednesday thursday friday saturday sunday quarter
hmicfrs hmic police constabulary force we our their it""".split())
_SPECIAL = set(HEADS) | {"operation", "project", "law", "section", "police", "constabulary", "force", "called",
                         "known", "in", "at", "across"}
_CATEGORY_SUBKINDS = {"voluntary", "other", "education", "community body", "private sector"}
_COLLAB_RE = re.compile(r"\b(?:joint(?:ly)?|in conjunction with|collaborat\w*|partnership|together with|alongside|"
                        r"neighbouring|seven-force|regional)\b", re.I)
_PARTNER_CTX_RE = re.compile(r"\b(?:partner\w*|multi-agency|agencies|inter-agency)\b", re.I)
_FORCE_HEADS = {"police", "constabulary"}
_STOP_BUT_OF = STOP - {"of"}  # "Police Service of Northern Ireland"
_NAME_KEY_DROP = LEAD_DROP | {"the", "force", "local"}  # leading words a merge key leaves out


# ---------------------------------------------------------------------------
# candidates


@dataclass
class _Cand:
    s: int  # first token
    e: int  # one past the last token
    kind: Optional[str]  # None = a block (e.g. the report's own force): claims its span, makes no entity
    how: str  # lexicon | acronym | pattern | footnote | alias
    name: Optional[str] = None  # name this candidate proposes (else its surface)
    concept: Optional[Concept] = None
    acronym: Optional[str] = None  # acronym that names this entity
    keys: list[str] = field(default_factory=list)  # extra merge keys
    prio: int = 0  # higher wins a tie of equal spans
    subkind: Optional[str] = None
    spans: Optional[list[tuple[int, int]]] = None  # char spans of the mention when not the token span
    expansion: Optional[str] = None  # defined expansion (from an acronym definition)
    split: bool = False  # half of a coordination: its surface is not its name
    aliases: list[str] = field(default_factory=list)  # other names it implies ("CAVAA unit")


def _is_acronym(t: Token) -> bool:
    return t.acr


def _acr_letters(acr: str) -> str:
    core = acr[:-1] if acr.endswith("s") and len(acr) > 2 else acr
    return "".join(c for c in core if c.isupper() or c.isdigit()).lower()


def _acr_norm(acr: str) -> str:
    """'MASHs' -> 'MASH'; the form an entity keeps."""
    return acr[:-1] if acr.endswith("s") and len(acr) > 2 and acr[:-1].upper() == acr[:-1] else acr


def _title(t: Token) -> bool:
    return t.title


_SENTENCE_START_RE = re.compile(r"[.!?]\s+(?=[A-Z\u2018\u201c'\"(])|\n")
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s)|\n")


# pure functions of a name; the same names recur across passes and reports
_normalise = lru_cache(maxsize=4096)(normalise)
_slugify = lru_cache(maxsize=4096)(slugify)


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The sentence around pos (cheap: looks at most 600 characters either way)."""
    lo = max(0, pos - 600)
    s = lo
    for m in _SENTENCE_START_RE.finditer(text[lo : pos + 1]):
        s = lo + m.end()
    hi = min(len(text), pos + 600)
    m = _SENTENCE_END_RE.search(text[pos:hi])
    e = pos + m.end() if m else hi
    return s, e


class _Extractor:
    """One report's extraction: candidates from every pass, then resolution and merging."""

    def __init__(self, report: Report, lexicon: Lexicon):
        self.r = report
        self.text = report.text
        self.lex = lexicon
        self.toks = tokenise(self.text)
        self.cands: list[_Cand] = []
        # where each later pass needs to look (comprehensions: cheaper than one explicit loop).
        # Two scans of every token pick the few that matter; the hit lists are cut from those.
        index = lexicon.index
        toks = self.toks
        keyed = [(i, t.key) for i, t in enumerate(toks) if t.key in index or t.key in _SPECIAL or t.key == "("]
        self.lex_hits: list[int] = [i for i, k in keyed if k in index]
        self.special_hits: list[int] = [i for i, k in keyed if k in _SPECIAL]
        self.paren_hits: list[int] = [i for i, k in keyed if k == "("]
        caps = [i for i, t in enumerate(toks) if t.title or t.acr]
        self.acr_hits: list[int] = [i for i in caps if toks[i].acr]
        self.title_hits: list[int] = [i for i in caps if not toks[i].acr]
        own = normalise(report.force or "")
        self.own_force = own
        self.own_area = " ".join(w for w in own.split() if w not in ("police", "constabulary", "service"))
        self._notes: Optional[dict] = None  # footnote number -> Footnote (see _definition)

    # ---- helpers
    def surface(self, c: _Cand) -> str:
        return self.text[self.toks[c.s].start : self.toks[c.e - 1].end]

    def words_text(self, s: int, e: int) -> str:
        return self.text[self.toks[s].start : self.toks[e - 1].end]

    # ---- 1. lexicon
    def lexicon_pass(self) -> None:
        toks, index1, index2 = self.toks, self.lex.index1, self.lex.index2
        n = len(toks)
        for i in self.lex_hits:
            t = toks[i]
            if not t.word:
                continue
            entries = index2.get((t.key, toks[i + 1].key), ()) if i + 1 < n else ()
            single = index1.get(t.key)
            if single:
                entries = [*entries, *single]
            for ent in entries:
                k = len(ent.keys)
                if i + k > n:
                    continue
                ok = True
                for j in range(k):
                    tj = toks[i + j]
                    if not tj.word or tj.key != ent.keys[j]:
                        ok = False
                        break
                    if j < k - 1 and not ent.possessive[j] and tj.text.endswith(("'s", "\u2019s")):
                        ok = False  # "force's contact centre" is the contact centre, said of the force
                        break
                    cs = ent.cases[j]
                    if cs == "upper":
                        core = tj.text[:-1] if tj.text.endswith("s") and len(tj.text) > 2 else tj.text
                        if core.upper() != core:
                            ok = False
                            break
                    elif cs == "title" and not tj.text[0].isupper():
                        ok = False
                        break
                if ok:
                    c = ent.concept
                    s = i
                    # "Luton Youth Offending Service": a capitalised local prefix names a local instance
                    if c.kind == "partner" and toks[i].text[0].isupper() and not ent.is_acronym:
                        while s > 0 and _title(toks[s - 1]) and toks[s - 1].key not in STOP and not _is_acronym(toks[s - 1]) \
                                and s - 1 > 0 and toks[s - 2].text not in ".\n" and i - s < 3:
                            s -= 1
                    e = i + k
                    if c.kind == "partner" and c.subkind in _CATEGORY_SUBKINDS:
                        e = self._for_the(e)
                    cand = _Cand(s, e, c.kind, "lexicon", concept=c, prio=3, subkind=c.subkind)
                    if e != i + k:
                        # "charities for the homeless and elderly": a named kind of partner of its own
                        cand.concept = None
                        cand.keys.append(f"n:{c.kind}:{self._name_key(self.words_text(s, e), c.kind)}")
                    if ent.is_acronym:
                        cand.acronym = c.notation
                    if s != i:
                        cand.concept = None
                        cand.keys.append(f"n:{c.kind}:{self._name_key(self.words_text(s, i + k), c.kind)}")
                    self.cands.append(cand)
                    break

    def _for_the(self, e: int) -> int:
        """End of 'for the homeless and elderly' after a partner category, or e."""
        toks = self.toks
        n = len(toks)
        if e + 2 >= n or toks[e].key != "for":
            return e
        j = e + 1
        if toks[j].key == "the":
            j += 1
        words = 0
        while j < n and toks[j].word and not toks[j].title and (toks[j].key not in STOP or toks[j].key == "and") \
                and toks[j].key not in VERBS and words < 4:
            j += 1
            words += 1
        if words == 0 or toks[j - 1].key == "and" or (j < n and toks[j].word):
            return e
        return j

    # ---- 2. acronym definitions
    def _spell(self, words: list[int], letters: str) -> Optional[int]:
        """Index into `words` where an expansion spelling `letters` starts, or None.
        Words match by their initial; small words may be skipped; at most three
        other words may be skipped (CMIT = child sexual exploitation and missing
        people investigation team)."""
        toks = self.toks
        small = {"and", "of", "the", "for", "in", "on", "to", "&", "with", "a"}
        initials = [toks[w].text[0].lower() for w in words]
        lows = [toks[w].text.lower() for w in words]
        keys = [toks[w].key for w in words]

        # matching right to left: go(wi, li) = (cost, start) of the cheapest way to spell
        # letters[0..li] with words[0..wi], where skipping a content word costs 1
        @lru_cache(maxsize=None)
        def go(wi: int, li: int) -> Optional[tuple[int, int]]:
            if li < 0:
                return (0, wi + 1)  # every letter spelled: the expansion starts after wi
            if wi < 0:
                return None
            opts = []
            w = lows[wi]
            for q in (1, 2, 3):  # a word gives its initial, or its first two or three letters ("panel" -> PAN)
                if q > li + 1:
                    break
                if not w.startswith(letters[li - q + 1 : li + 1]):
                    continue
                r = go(wi - 1, li - q)
                if r is not None:
                    opts.append(r)
            r = go(wi - 1, li)  # skip this word
            if r is not None:
                opts.append((r[0] + (0 if keys[wi] in small else 1), r[1]))
            # cheapest, then the shortest expansion
            return min(opts, key=lambda o: (o[0], -o[1])) if opts else None

        if not words or not letters:
            return None
        r = go(len(words) - 1, len(letters) - 1)
        if r is None:
            return None
        cost, start = r
        if start >= len(words) or initials[start] != letters[0] or cost > min(3, max(1, len(letters) - 1)):
            return None
        return start

    def _words_before(self, p: int, limit: int = 12) -> list[int]:
        toks = self.toks
        out: list[int] = []
        j = p - 1
        while j >= 0 and len(out) < limit:
            t = toks[j]
            if t.word:
                if t.text.endswith(("'s", "\u2019s")) and out:
                    break
                out.append(j)
            elif t.text != ",":
                break
            j -= 1
        out.reverse()
        return out

    def acronym_pass(self) -> None:
        toks = self.toks
        n = len(toks)
        for i in sorted(self.paren_hits + self.acr_hits + [j for j in self.special_hits if toks[j].key == "known"]):
            if i >= n - 2:
                continue
            t = toks[i]
            if t.text == "(" and _is_acronym(toks[i + 1]) and toks[i + 2].text in "),;":
                self._define(i, i + 1, i + 3 if toks[i + 2].text == ")" else i + 2)
            elif _is_acronym(t) and toks[i + 1].text == "(" and i > 0:
                # "THRIVE (threat, harm, risk ...)"
                j = i + 2
                words = []
                while j < n and j < i + 16 and (toks[j].word or toks[j].text == ","):
                    if toks[j].word:
                        words.append(j)
                    j += 1
                if j < n and toks[j].text == ")" and words:
                    st = self._spell(words, _acr_letters(t.text))
                    if st == 0:
                        self._add_definition(words[0], words[-1] + 1, t, i, j + 1, None)
            elif t.key == "known" and toks[i + 1].key == "a" and i + 2 < n and _is_acronym(toks[i + 2]) and i > 1 \
                    and toks[i - 1].text == ",":
                self._define(i - 1, i + 2, i + 3, comma=True)

    def _define(self, p: int, ai: int, after: int, comma: bool = False) -> None:
        """An acronym toks[ai] defined by the words before toks[p]."""
        toks = self.toks
        acr = toks[ai]
        words = self._words_before(p)
        if not words:
            return
        letters = _acr_letters(acr.text)
        st = self._spell(words, letters)
        if st is None and len(letters) >= 4:
            # "child abuse and vulnerable adults (CAVAA)": one trailing letter the words do not spell
            st = self._spell(words, letters[:-1])
        if st is None:
            return
        ws = words[st]
        we = words[-1] + 1
        head = None
        if after < len(toks) and toks[after].word and toks[after].key in HEADS and toks[after].key != "group":
            head = after
        self._add_definition(ws, we, acr, ai, (head + 1) if head is not None else after, head)

    def _add_definition(self, ws: int, we: int, acr: Token, ai: int, end: int, head: Optional[int]) -> None:
        toks = self.toks
        expansion = self.words_text(ws, we)
        last = toks[we - 1].key
        kind = None
        belongs = True
        concept = self.lex.acronyms.get(acr.key)
        if concept is None:
            concept = self._lexicon_phrase(ws, we)
        if last in HEADS and HEADS[last] != "meeting":
            kind = HEADS[last]
        elif last in HEADS and last != "group":
            kind = "meeting"
        if head is not None:
            hk = toks[head].key
            kind = HEADS[hk]
            expansion = expansion + " " + toks[head].text
            # the acronym names a team ("VSOM team"); "ASB powers" are powers about ASB
            belongs = hk in UNIT_HEADS or (concept is not None and concept.kind == kind)
            if not belongs:
                concept = self._lexicon_phrase_text(expansion)
        if concept is not None and belongs:
            kind = concept.kind
        if kind is None:
            return
        if kind == "meeting" and any(toks[k].key in PARTNER_WORDS for k in range(ws, we)):
            kind = "partner"
        if kind == "unit" and toks[ws].key in ("regional", "national", "multi", "joint"):
            kind = "partner"
        c = _Cand(ws, end, kind, "acronym", name=_clean_name(expansion), concept=concept, prio=4,
                  acronym=_acr_norm(acr.text) if belongs else None, expansion=_clean_name(expansion))
        c.keys.append(f"n:{kind}:{self._name_key(expansion, kind)}")
        if head is not None and belongs:
            short = _acr_norm(acr.text) + " " + toks[head].text
            c.keys.append(f"n:{kind}:{self._name_key(short, kind)}")
            c.aliases.append(short)
        self.cands.append(c)
        if belongs:
            self.known_acronyms[acr.key] = c

    def _lexicon_phrase(self, ws: int, we: int) -> Optional[Concept]:
        keys = tuple(self.toks[k].key for k in range(ws, we))
        for ent in self.lex.index.get(keys[0], ()):
            if ent.keys == keys and not ent.is_acronym:
                return ent.concept
        return None

    def _lexicon_phrase_text(self, phrase: str) -> Optional[Concept]:
        keys = tuple(match_key(w) for w in WORD_RE.findall(phrase))
        if not keys:
            return None
        for ent in self.lex.index.get(keys[0], ()):
            if ent.keys == keys and not ent.is_acronym:
                return ent.concept
        return None

    # ---- 3. head words
    def head_pass(self) -> None:
        toks = self.toks
        n = len(toks)
        for i in self.special_hits:
            t = toks[i]
            if not t.word:
                continue
            k = t.key
            if k in ("operation", "project") and t.text[0].isupper() and i + 1 < n and _title(toks[i + 1]) \
                    and toks[i + 1].key not in STOP and toks[i + 1].key not in HEADS:
                e = i + 2
                while e < n and _title(toks[e]) and toks[e].key not in STOP and e < i + 4:
                    e += 1
                self.cands.append(_Cand(i, e, "programme", "pattern", prio=2, subkind=k))
            elif k in HEADS:
                self._head(i)
            elif k == "law" and t.text[0] == "L" and i > 0 and toks[i - 1].word and _title(toks[i - 1]) \
                    and toks[i - 1].text.endswith(("'s", "\u2019s")):
                self.cands.append(_Cand(i - 1, i + 1, "power", "pattern", prio=2, subkind="scheme"))
            elif k == "section" and t.text.lower() == "section" and i + 1 < n and toks[i + 1].text.isdigit():
                e = i + 2
                # "section 136 of the Mental Health Act 1983"
                if e + 2 < n and toks[e].key == "of" and toks[e + 1].key == "the":
                    j = e + 2
                    while j < n and _title(toks[j]) and j < e + 8:
                        j += 1
                    if j > e + 2 and toks[j - 1].key == "act":
                        e = j + 1 if j < n and toks[j].text.isdigit() else j
                # a bare low number is more likely a section of a report than of an Act
                if e > i + 2 or int(toks[i + 1].text) >= 10:
                    self.cands.append(_Cand(i, e, "power", "pattern", prio=2, subkind="power",
                                            keys=[f"n:power:section {toks[i + 1].text}"]))
            elif k in _FORCE_HEADS and t.text[0].isupper():
                self._force(i, i + 1)
            elif k in ("constabulary", "force") and t.text[0].islower() and t.text.endswith(("ies", "es")):
                self._force_pair(i)
            elif k == "called" or (k == "known" and i + 1 < n and toks[i + 1].key == "a"):
                self._called(i)

    def _head(self, i: int) -> None:
        """A name ending in the head word toks[i] ("Emerald team", "search warrants"):
        collect the modifiers before it up to a determiner, verb, preposition or
        punctuation, drop generic ones, and classify by head word and context."""
        toks = self.toks
        head = toks[i]
        hk = head.key
        kind = HEADS[hk]
        mods: list[int] = []
        j = i - 1
        has_and = False
        quoted_from = None
        if hk == "ordinator":
            j -= 1  # skip the "co" of "co-ordinator"
        while j >= 0 and len(mods) < 7:
            t = toks[j]
            if not t.word:
                if t.text in "'\u2019\u201d" and j == i - 1 - (hk == "ordinator") or (t.text in "'\u2019\u201d" and mods):
                    # "‘seven-force collaboration’ programme": a quoted name before the head
                    q = j - 1
                    while q >= 0 and toks[q].word and j - q <= 5:
                        q -= 1
                    if q >= 0 and q < j - 1 and toks[q].text in "'\u2018\u201c" and toks[j - 1].key not in HEADS:
                        mods.extend(range(j - 1, q, -1))
                        quoted_from = q
                break
            lw = t.text.lower()
            key = t.key
            if key == "and" and mods and not has_and and j > 0 and toks[j - 1].word \
                    and toks[j - 1].key not in STOP and toks[j - 1].key not in VERBS:
                has_and = True
                mods.append(j)
                j -= 1
                continue
            if lw in STOP or key in STOP or key in VERBS or t.text[0].isdigit() or "n'" in lw or "n\u2019" in lw:
                break
            if kind == "power" and key.endswith("ing"):
                break
            if lw.endswith("ly") and lw not in LY_OK:
                break
            if t.text.endswith(("'s", "\u2019s")) or (len(t.text) == 1 and t.text.islower()):
                break
            if key in HEADS and HEADS[key] != "meeting" and j != i - 1:
                break
            if _is_acronym(t) and key in self.lex.acronyms and self.lex.acronyms[key].kind in ("partner", "place") \
                    and kind in ("unit", "system"):
                return  # "county MASH centres", "the ACRO system": part of a partner, not a unit of the force
            mods.append(j)
            j -= 1
        if mods and toks[mods[-1]].key == "and":
            mods.pop()
        mods.reverse()
        # "resourcing community teams": a leading verb form is not part of the name
        while mods and toks[mods[0]].key.endswith("ing") and toks[mods[0]].key not in ING_NOUNS:
            mods.pop(0)
        if has_and:
            a = next((q for q, m in enumerate(mods) if toks[m].key == "and"), None)
            # "police and local NHS health trust": a generic left half is not part of the name
            if a is None:
                has_and = False
            elif all(toks[m].key in GENERIC or toks[m].key in STOP for m in mods[:a]):
                mods = mods[a + 1 :]
                has_and = False
        # drop generic leading modifiers
        while mods and (toks[mods[0]].key in LEAD_DROP or toks[mods[0]].key == "and"):
            mods.pop(0)
        if not mods:
            return
        mkeys = [toks[m].key for m in mods]
        if all(mk in GENERIC or mk == "and" for mk in mkeys):
            # "court orders", "legal powers": claim the words so the lexicon does not read "court" as a partner
            self.cands.append(_Cand(mods[0], i + 1, None, "pattern", prio=-1))
            return
        # a power head right after another ("civil injunction notices"): the inner one names it
        end = i + 1
        if kind == "power" and toks[i - 1].key in HEADS and HEADS[toks[i - 1].key] == "power" and len(mods) > 1:
            end = i
            mods = mods[:-1]
        if kind == "power":
            if len(mods) == 1 and (toks[mods[0]].key.endswith("ed")):
                return
            if hk == "order" and len(mods) == 1 and not toks[i].text.lower().endswith("s"):
                return  # "public order", "court order": a singular order needs a fuller name
        if kind == "system" and all(mk in SYSTEM_TAIL or mk in GENERIC or mk in ("partner", "crime") for mk in mkeys):
            return  # "computer database", "partner databases"
        if kind == "system" and hk == "model" and not any(_is_acronym(toks[m]) or
                                                          (_title(toks[m]) and m != mods[0]) for m in mods):
            return
        if kind == "programme" and all(mk in GENERIC or mk in ("resourcing", "care", "safety", "management", "action",
                                                                "communications", "training") for mk in mkeys):
            return
        if hk == "group" and not any(mk in GROUP_MODIFIERS for mk in mkeys):
            return
        if hk == "initiative" and not any(toks[m].title for m in mods) and len(mods) < 2:
            return  # "preventative initiatives": a description, not a name
        if kind == "meeting":
            if any(mk in PARTNER_WORDS for mk in mkeys):
                kind = "partner"
            else:
                ss, se = _sentence_bounds(self.text, head.start)
                if _PARTNER_CTX_RE.search(self.text, ss, se):
                    kind = "partner"
            # "partnership board structure"
            if i + 1 < len(toks) and toks[i + 1].key in ("structure", "arrangement"):
                end = i + 2
        if kind == "unit" and mkeys[0] in ("regional", "national", "multi", "joint"):
            kind = "partner"
        if kind == "unit" and mkeys[0] in OTHER_ORGS:
            return  # "hospital accident and emergency departments": a unit of another organisation
        s = mods[0]
        if quoted_from is not None and quoted_from == mods[0] - 1:
            s = quoted_from
        name = self.words_text(s, end)
        cand = _Cand(s, end, kind, "pattern", prio=1, subkind=SUBKIND.get(hk))
        cand.keys.append(f"n:{kind}:{self._name_key(name, kind)}")
        first = toks[s]
        if kind == "system" and first.title and not first.acr and s > 0 and toks[s - 1].word and first.key not in STOP:
            self.proper.setdefault(first.key, cand)  # "the SafetyNet computer system" ... "access to SafetyNet"
        if has_and:
            cand.keys.append("and")
        self.cands.append(cand)

    def _force(self, i: int, e: int) -> None:
        """'<Name> Police|Constabulary [Service]': another force (a partner when the
        sentence is about working together) or the report's own force (a block)."""
        toks = self.toks
        j = i - 1
        while j >= 0 and toks[j].word and (_title(toks[j]) or (toks[j].key == "of" and j > 0 and _title(toks[j - 1]))) \
                and toks[j].key not in _STOP_BUT_OF and not _is_acronym(toks[j]):
            j -= 1
        s = j + 1
        if s == i:
            return
        if e < len(toks) and toks[e].key == "service" and _title(toks[e]):
            e += 1
        name = self.words_text(s, e)
        area = " ".join(match_key(toks[k].text) for k in range(s, i))
        if _normalise(name) == self.own_force or area == match_key(self.own_area):
            self.cands.append(_Cand(s, e, None, "pattern", prio=5))
            return
        ss, se = _sentence_bounds(self.text, toks[s].start)
        sentence = self.text[ss:se]
        before = self.text[max(ss, toks[s].start - 40) : toks[s].start].lower()
        if _COLLAB_RE.search(sentence) or re.search(r"\bwith (?:the )?(?:\w+ (?:and|,) )?$", before):
            self.cands.append(_Cand(s, e, "partner", "pattern", prio=5, subkind="police force",
                                    keys=[f"force:{area}"]))
        else:
            self.cands.append(_Cand(s, e, None, "pattern", prio=5))

    def _force_pair(self, i: int) -> None:
        """'Cambridgeshire and Hertfordshire constabularies' -> two forces."""
        toks = self.toks
        if i < 3 or toks[i - 2].key != "and" or not _title(toks[i - 1]) or not _title(toks[i - 3]):
            return
        ss, se = _sentence_bounds(self.text, toks[i].start)
        if not _COLLAB_RE.search(self.text[ss:se]) and " with " not in self.text[max(ss, toks[i - 3].start - 20):toks[i - 3].start]:
            return
        word = "Constabulary" if toks[i].key == "constabulary" else "force"
        for k in (i - 3, i - 1):
            area = match_key(toks[k].text)
            if area == match_key(self.own_area):
                continue
            c = _Cand(k, k + 1, "partner", "pattern", name=f"{toks[k].text} {word}", prio=5, subkind="police force",
                      keys=[f"force:{area}"], split=True)
            self.cands.append(c)

    def _called(self, i: int) -> None:
        """'a computer database (called ‘Inspire’)': a name in quotes after called/known as."""
        toks = self.toks
        n = len(toks)
        j = i + 1 if toks[i].key == "called" else i + 2
        if j >= n or toks[j].text not in _QUOTES:
            return
        k = j + 1
        while k < n and toks[k].word and k < j + 5:
            k += 1
        if k == j + 1 or k >= n or toks[k].text not in _QUOTES or not _title(toks[j + 1]):
            return
        kind = None
        for b in range(i - 1, max(-1, i - 6), -1):
            if toks[b].word and toks[b].key in HEADS:
                kind = HEADS[toks[b].key]
                break
        if kind is None or kind in ("meeting", "role"):
            return
        name = self.words_text(j + 1, k)
        c = _Cand(j + 1, k, kind, "pattern", prio=2, keys=[f"n:{kind}:{self._name_key(name, kind)}"])
        self.cands.append(c)
        self.proper[toks[j + 1].key] = c

    # ---- 4. places
    def place_pass(self) -> None:
        toks = self.toks
        n = len(toks)
        area = self.own_area
        area_keys = tuple(match_key(w) for w in area.split()) if area else ()
        hits = self.title_hits if not area_keys else sorted(self.title_hits + self.acr_hits)
        for i in sorted(hits + [j for j in self.special_hits if toks[j].key in ("in", "at", "across")]):
            t = toks[i]
            if area_keys and t.word and t.key == area_keys[0] and _title(t):
                k = len(area_keys)
                if all(i + q < n and toks[i + q].key == area_keys[q] for q in range(k)):
                    self.cands.append(_Cand(i, i + k, "place", "pattern", prio=0, subkind="force area",
                                            keys=[f"n:place:{' '.join(area_keys)}"]))
            if t.word and t.key in ("in", "at", "across") and i + 1 < n:
                j = i + 1
                while j < n:
                    u = toks[j]
                    if not (_title(u) and u.key not in PLACE_STOP and not _is_acronym(u) and not u.text[0].isdigit()):
                        break
                    e = j + 1
                    while e < n and _title(toks[e]) and toks[e].key not in PLACE_STOP and e < j + 3:
                        e += 1
                    if e < n and toks[e].word and (toks[e].key in HEADS or toks[e].key in _FORCE_HEADS):
                        break
                    self.cands.append(_Cand(j, e, "place", "pattern", prio=0, subkind="place",
                                            keys=[f"n:place:{self._name_key(self.words_text(j, e), 'place')}"]))
                    # a list: "at Bedford, Dunstable and Luton"
                    if e + 1 < n and (toks[e].text == "," or toks[e].key == "and"):
                        j = e + 1
                        continue
                    break

    # ---- names
    def _name_key(self, name: str, kind: str) -> str:
        words = [match_key(w) for w in WORD_RE.findall(name)]
        while words and words[0] in _NAME_KEY_DROP and len(words) > 1:
            words.pop(0)
        if kind == "unit" and words and words[-1] == "unit":
            words[-1] = "team"
        if kind == "system":
            core = [w for w in words if w not in SYSTEM_TAIL]
            words = core or words
        return " ".join(words)

    # ---- resolution
    def resolve(self) -> list[_Cand]:
        """Overlapping candidates: the longest span wins (then the stronger source,
        then the leftmost); a candidate overlapping a kept one is dropped."""
        kept: list[_Cand] = []
        occupied = bytearray(len(self.toks) + 1)
        order = sorted(self.cands, key=lambda c: (-(self.toks[c.e - 1].end - self.toks[c.s].start), -c.prio, c.s))
        for c in order:
            if any(occupied[k] for k in range(c.s, c.e)):
                continue
            for k in range(c.s, c.e):
                occupied[k] = 1
            kept.append(c)
        kept.sort(key=lambda c: c.s)
        return kept

    def bare_pass(self, kept: list[_Cand]) -> list[_Cand]:
        """Mentions of defined acronyms ('ICAIT', 'VSOMT') and quoted names ('Inspire') elsewhere."""
        toks = self.toks
        occupied = bytearray(len(toks) + 1)
        for c in kept:
            for k in range(c.s, c.e):
                occupied[k] = 1
        out = []
        for i in sorted(self.acr_hits + self.title_hits):
            t = toks[i]
            if occupied[i] or not t.word:
                continue
            src = None
            if _is_acronym(t):
                src = self.known_acronyms.get(t.key)
                if src is None and len(t.key) > 3 and t.key[-1] in "tu":
                    src = self.known_acronyms.get(t.key[:-1])  # VSOMT = VSOM team
                    if src is not None and src.kind != "unit":
                        src = None
            elif t.text[0].isupper():
                src = self.proper.get(t.key)
            if src is None:
                continue
            c = _Cand(i, i + 1, src.kind, "alias", concept=src.concept, prio=0, subkind=src.subkind)
            c.keys = [k for k in src.keys if k.startswith("n:")][:1]
            if src.acronym:
                c.acronym = src.acronym
            out.append(c)
        return out

    # ---- merging into entities
    def run(self) -> list[Entity]:
        self.known_acronyms: dict[str, _Cand] = {}
        self.proper: dict[str, _Cand] = {}
        self.lexicon_pass()
        self.acronym_pass()
        self.head_pass()
        self.place_pass()
        self._drop_inside_partners()
        kept = self.resolve()
        kept = self._drop_levels(kept)
        self._appositives(kept)
        kept = self._split_coordinations(kept)
        self._acronym_heads(kept)
        kept += self.bare_pass(kept)
        kept = [c for c in kept if c.kind is not None]
        return self._merge(kept)

    def _acronym_heads(self, kept: list[_Cand]) -> None:
        """'the CAVAA unit' names a unit by an acronym the report never expands:
        the acronym alone ('CAVAA officers') then mentions the same unit."""
        toks = self.toks
        for c in kept:
            if c.kind != "unit" or c.e - c.s != 2:
                continue
            a, h = toks[c.s], toks[c.s + 1]
            if not _is_acronym(a) or h.key not in UNIT_HEADS or a.key in self.known_acronyms:
                continue
            c.acronym = c.acronym or _acr_norm(a.text)
            self.known_acronyms[a.key] = c

    def _drop_inside_partners(self) -> None:
        """'the Immigration Enforcement command and control unit' is part of a partner
        the lexicon knows, not a unit of the force."""
        cover = bytearray(len(self.toks) + 1)
        spans = set()
        for c in self.cands:
            if c.how == "lexicon" and c.kind in ("partner", "place"):
                spans.add((c.s, c.e))
                for k in range(c.s, c.e):
                    cover[k] = 1
        self.cands = [c for c in self.cands
                      if not (c.how == "pattern" and c.kind in ("unit", "system", "programme", "meeting")
                              and (c.s, c.e) not in spans and any(cover[k] for k in range(c.s, c.e)))]

    def _drop_levels(self, kept: list[_Cand]) -> list[_Cand]:
        """'at local authority, basic command unit or community safety partnership level':
        names in a list that ends in 'level' are tiers of geography, not bodies."""
        toks = self.toks
        n = len(toks)
        by_start = {c.s: c for c in kept}
        drop = set()
        for c in reversed(kept):
            if c.e < n and toks[c.e].key == "level":
                drop.add(id(c))
            elif c.e + 1 < n and toks[c.e].text in (",",) or (c.e < n and toks[c.e].key in ("or", "and")):
                nxt = by_start.get(c.e + 1)
                if nxt is not None and id(nxt) in drop:
                    drop.add(id(c))
        return [c for c in kept if id(c) not in drop]

    def _appositives(self, kept: list[_Cand]) -> None:
        """'Action Fraud, the national fraud and cyber-crime reporting centre': the second
        name is another name of the first. 'Vale Safe Futures, a local charity': the
        capitalised name before the comma is a partner of that kind."""
        toks = self.toks
        n = len(toks)
        by_end = {c.e: c for c in kept if c.kind is not None}
        by_start = {c.s: c for c in kept if c.kind is not None}
        for c in list(kept):
            if c.kind is None:
                continue
            # "the national risk assessment tool, known as THRIVE": one thing, the name wins
            j = c.e + 1 if c.e < n and toks[c.e].text == "," else c.e
            if j + 2 < n and toks[j].key == "known" and toks[j + 1].key == "a":
                named = by_start.get(j + 2)
                if named is not None and named.kind == c.kind:
                    c.concept, c.how, c.name, c.acronym = named.concept, "alias", None, None
                    c.keys = [k for k in named.keys if k.startswith("n:")] or [
                        f"n:{named.kind}:{self._name_key(self.surface(named), named.kind)}"]
                    if named.concept is not None:
                        c.keys.append(f"c:{named.concept.id}")
                    continue
            a = c.s - 1
            while a > 0 and toks[a].key in LEAD_DROP:  # "a dedicated serious and organised crime team"
                a -= 1
            if a < 2 or toks[a].key not in ("the", "a", "an") or toks[a - 1].text != ",":
                continue
            p = by_end.get(a - 1)
            if p is not None and p is not c:
                c.kind, c.concept, c.how, c.name, c.acronym = p.kind, p.concept, "alias", None, None
                own = [k for k in c.keys if k.startswith("n:")][:1]  # also joins its other mentions
                c.keys = [k for k in p.keys if k.startswith(("n:", "force:"))] or [
                    f"n:{p.kind}:{self._name_key(self.surface(p), p.kind)}"]
                c.keys += own
                if p.concept is not None:
                    c.keys.append(f"c:{p.concept.id}")
                continue
            if c.how != "lexicon" or c.kind != "partner":
                continue
            j = a - 2
            while j >= 0 and toks[j].title and toks[j].key not in STOP and a - 2 - j < 5:
                j -= 1
            if j == a - 2 or (j >= 0 and toks[j].text in ".\n"):
                continue
            new = _Cand(j + 1, a - 1, c.kind, "pattern", prio=2, subkind=c.subkind)
            new.keys.append(f"n:{c.kind}:{self._name_key(self.surface(new), c.kind)}")
            c.concept, c.keys, c.how = None, list(new.keys), "alias"
            kept.append(new)
        kept.sort(key=lambda c: c.s)

    def _split_coordinations(self, kept: list[_Cand]) -> list[_Cand]:
        """'community crime and emerald teams' -> 'community crime team' + 'emerald team'
        when the first half names something the report (or the lexicon) knows."""
        known = set()
        for c in kept:
            for k in c.keys:
                if k.startswith("n:"):
                    known.add(k)
        out = []
        toks = self.toks
        for c in kept:
            if "and" not in c.keys:
                out.append(c)
                continue
            c.keys.remove("and")
            a = next((k for k in range(c.s, c.e) if toks[k].key == "and"), None)
            head = toks[c.e - 1]
            if a is None or a == c.s or a >= c.e - 1:
                out.append(c)
                continue
            left = self.words_text(c.s, a) + " " + head.text
            right = self.words_text(a + 1, c.e)
            lk = f"n:{c.kind}:{self._name_key(left, c.kind)}"
            lconcept = self._lexicon_phrase_text(left)
            if lk in known or lconcept is not None:
                c1 = _Cand(c.s, a, c.kind, "pattern", name=_clean_name(left), concept=lconcept, prio=c.prio,
                           subkind=c.subkind, keys=[lk], split=True)
                rconcept = self._lexicon_phrase_text(right)
                c2 = _Cand(a + 1, c.e, c.kind, "pattern", concept=rconcept, prio=c.prio, subkind=c.subkind,
                           keys=[f"n:{c.kind}:{self._name_key(right, c.kind)}"])
                out += [c1, c2]
            else:
                out.append(c)
        return out

    def _merge(self, cands: list[_Cand]) -> list[Entity]:
        parent = list(range(len(cands)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        first: dict[str, int] = {}
        for idx, c in enumerate(cands):
            keys = list(c.keys)
            if c.concept is not None:
                keys.append(f"c:{c.concept.id}")
            if c.acronym:
                keys.append(f"a:{match_key(c.acronym)}")
            if not any(k.startswith("n:") for k in keys):
                keys.append(f"n:{c.kind}:{self._name_key(self.surface(c), c.kind)}")
            for k in keys:
                if k in first:
                    a, b = find(first[k]), find(idx)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                else:
                    first[k] = idx
        groups: dict[int, list[_Cand]] = defaultdict(list)
        for idx, c in enumerate(cands):
            groups[find(idx)].append(c)
        paragraphs = self.r.paragraphs
        pstarts = [p.start for p in paragraphs]
        entities: list[Entity] = []
        for members in groups.values():
            entities.append(self._entity(members, paragraphs, pstarts))
        # unique keys within the report
        entities.sort(key=lambda e: (e.key, e.mentions[0].start if e.mentions else 0))
        seen: dict[str, int] = {}
        for e in entities:
            if e.key in seen:
                seen[e.key] += 1
                e.key = f"{e.key}-{seen[e.key]}"
            else:
                seen[e.key] = 1
        entities.sort(key=lambda e: e.key)
        return entities

    def _entity(self, members: list[_Cand], paragraphs, pstarts) -> Entity:
        toks, text = self.toks, self.text
        kinds = Counter()
        concept = None
        for c in members:
            w = 10 if c.concept is not None else (5 if c.how == "acronym" else 1)
            kinds[c.kind] += w
            if c.concept is not None and (concept is None or c.concept.id < concept.id):
                concept = c.concept if concept is None or concept.kind != c.kind else concept
        kind = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if concept is not None and concept.kind != kind:
            concept = None
        mentions = []
        surfaces: Counter = Counter()
        voters = {id(c) for c in members if c.how != "alias"} or {id(c) for c in members}
        acronyms = Counter()
        expansions = []
        for c in members:
            spans = c.spans or [(toks[c.s].start, toks[c.e - 1].end)]
            for s, e in spans:
                surf = text[s:e]
                p = bisect.bisect_right(pstarts, s) - 1
                para = paragraphs[p].index if p >= 0 and paragraphs[p].start <= s < paragraphs[p].end else None
                mentions.append(Mention(s, e, surf, para, c.how))
                surfaces[c.name if c.split else _clean_name(surf)] += 1 if id(c) in voters else 0
            if c.acronym:
                acronyms[c.acronym] += 1
            if c.expansion:
                expansions.append(c.expansion)
            for a in c.aliases:
                surfaces[a] += 0
            if c.name and c.how != "acronym":
                surfaces[c.name] += 0  # a proposed name counts as a form, not as a mention
        mentions.sort(key=lambda m: (m.start, m.end))
        acronym = None
        if acronyms:
            acronym = sorted(acronyms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        elif concept is not None and concept.notation:
            acronym = concept.notation
        if concept is not None:
            name = concept.pref_label
        elif expansions:
            name = sorted(Counter(expansions).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            forms = Counter()
            for s, k in surfaces.items():
                if acronym and s == acronym or (_looks_acronym(s) and len(surfaces) > 1):
                    continue
                forms[_decap(s, surfaces)] += k
            if not forms:
                forms = Counter(surfaces)
            name = sorted(forms.items(), key=lambda kv: (-kv[1], not kv[0][:1].islower(), kv[0]))[0][0]
            if kind == "system":
                # "Inspire" over "Inspire computer system": the distinctive core, when it is written alone
                core = [f for f in forms if " " not in f and f[:1].isupper() and not _looks_acronym(f)]
                if core:
                    name = sorted(core, key=lambda f: (-forms[f], f))[0]
        for c in members:
            if c.name and c.how != "acronym" and c.how != "lexicon":
                surfaces[c.name] += 0
        low = _fold(name)
        aliases = sorted({s for s in surfaces if s and _fold(s) != low and s != acronym})
        subkind = concept.subkind if concept is not None else None
        if subkind is None:
            subs = Counter(c.subkind for c in members if c.subkind)
            if subs:
                subkind = sorted(subs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        definition = self._definition(mentions) or (concept.definition if concept is not None else None)
        return Entity(
            key=f"{kind}/{_slugify(name)}",
            kind=kind,
            name=name,
            acronym=acronym,
            aliases=aliases,
            definition=definition,
            subkind=subkind,
            lexicon=concept.id if concept is not None else None,
            mentions=mentions,
        )

    def _definition(self, mentions: list[Mention]) -> Optional[str]:
        """A footnote cited right after a mention ('Emerald team¹⁷'), or a footnote
        that opens with a mention of the entity."""
        notes = self._notes
        if notes is None:  # built once per report, not once per entity
            notes = self._notes = {f.number: f for f in self.r.footnotes}
        text = self.text
        for m in mentions:
            j = m.end
            if j < len(text) and text[j] in ".,;:" and j + 1 < len(text) and text[j + 1] in _SUP_VALUE:
                j += 1  # "(SCPOs),²⁸"
            digits = ""
            while j < len(text) and text[j] in _SUP_VALUE:
                digits += _SUP_VALUE[text[j]]
                j += 1
            if digits and int(digits) in notes:
                return " ".join(notes[int(digits)].text.split())
        for f in self.r.footnotes:
            for m in mentions:
                # a footnote whose subject is the entity: "ActionFraud is the UK's ...", "Part of the
                # Home Office, Immigration Enforcement is ..." (the Home Office is not the subject)
                if f.start <= m.start < f.end and m.start - f.start <= 40 and _SUBJECT_RE.match(text, m.end, f.end):
                    return " ".join(f.text.split())
        for m in mentions:
            # "the internet child abuse investigation team (ICAIT) which deals with ..."
            r = _RELATIVE_RE.match(text, m.end, min(len(text), m.end + 400))
            if r:
                return " ".join(r.group(1).split())
        return None


_SUP_CLASS = "[" + _SUPERSCRIPTS + "\u2070]"
_SUBJECT_RE = re.compile(_SUP_CLASS + r"*\s*(?:\([^)]{1,30}\)" + _SUP_CLASS + r"*)?\s*(?:,[^,.]{1,60},\s*)?"
                         r"(?:is|are|was|were|refers|provides?|manages|brings|deals|allows|tackles|investigates|examines|supports|"
                         r"works|helps|covers|includes|means|describes|enables)\b")
_RELATIVE_RE = re.compile(_SUP_CLASS + r"*\s*(?:\([^)]{1,30}\)" + _SUP_CLASS + r"*)?\s*,?\s*(?:which|who)\s+"
                          r"((?:is|are|deals|manages|works|investigates|examines|provides|supports|focuses|brings|"
                          r"reviews|tackles|helps|aims|monitors|refers|completes|offers|allows|enables|administers)"
                          r"\b[^.;\n]{20,240})")


def _fold(s: str) -> str:
    return " ".join(s.lower().replace("\u2019", "'").split())


def _looks_acronym(s: str) -> bool:
    core = s[:-1] if s.endswith("s") and len(s) > 2 else s
    ups = sum(c.isupper() for c in core)
    return " " not in s and ups >= 2 and ups >= len(core) - 1


def _decap(s: str, surfaces: Counter) -> str:
    """'Community policing teams' at a sentence start is 'community policing teams'."""
    if s[:1].isupper() and len(s) > 1 and s[1:2].islower():
        low = s[0].lower() + s[1:]
        if low in surfaces:
            return low
    return s


def _clean_name(s: str) -> str:
    s = " ".join(s.translate(_NO_SUP).split())
    s = s.strip(_QUOTES + " ,")
    if s.endswith(("'s", "\u2019s")) and " " in s:
        s = s[:-2]
    return s


_NO_SUP = {ord(c): None for c in _SUPERSCRIPTS + "\u2070"}


def extract_entities(report: Report, lexicon: Lexicon | None = None) -> list[Entity]:
    """Every unit, partner, power, system, programme, place, role and meeting the
    report names, one Entity per real thing with all its mentions; sorted by key."""
    lex = lexicon if lexicon is not None else load_lexicon()
    with paused_gc():
        return _Extractor(report, lex).run()
