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
All work is over token columns built once, so the cost is linear in the text.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import gt
from typing import Optional

from peelkg.kg_build.lexicon import Concept, Lexicon, WORD_RE, load_lexicon, match_key
from peelkg.kg_build.sentences import soft_newline
from peelkg.kg_build.model import Entity, Mention, Report
from peelkg.kg_build.slugs import normalise, slugify

__all__ = ["extract_entities"]

# ---------------------------------------------------------------------------
# tokens

_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_SUP_VALUE = {c: str(i) for i, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_TOKEN_RE = re.compile(WORD_RE.pattern + r"|\n|[^\sA-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff" + _SUPERSCRIPTS + r"]")
_JOINERS = "-/\u2010\u2011"
_QUOTES = "'\"\u2018\u2019\u201c\u201d`"


_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_TOKEN_SPLIT_RE = re.compile("(" + _TOKEN_RE.pattern + ")")  # split() keeps the tokens


class _WordInfo(dict):
    """word -> (match key, is a word, looks like an acronym, starts with a capital).

    A dict with ``__missing__`` so that ``map(info.__getitem__, words)`` runs in C
    for the words seen before and calls Python only for new ones."""

    def __missing__(self, w: str) -> tuple[str, bool, bool, bool]:
        c = w[0]
        if c.isalnum():
            core = w[:-1] if w.endswith("s") and len(w) > 2 else w
            ups = sum(ch.isupper() for ch in core) if len(w) > 1 and (w[1].isupper() or c.isupper()) else 0
            acr = ups >= 2 and ups >= len(core) - 1 and c.isupper()
            info = (match_key(w), True, acr, c.isupper())
        else:
            info = (w, False, False, False)
        if len(self) < 200_000:  # bounded: a long-running process sees many documents
            self[w] = info
        return info


_WORD_INFO = _WordInfo()
# tokens the keep/drop/split rules look at: line breaks, joiners, opening quotes
_EVENT_TOKENS = frozenset("\n" + _JOINERS + "\u2018'")
_S_QUOTE_RE = re.compile("s['\u2019]")


class _Tokens:
    """The report's words and punctuation marks, as parallel columns (text, start,
    end, match key, is a word, looks like an acronym, starts with a capital): the
    extractor reads them by index, which is cheaper than one object per token.
    A hyphen or slash inside a word ("anti-social", "cannabis/khat") is dropped,
    so its parts are adjacent words; superscript footnote marks and web
    addresses are skipped. ``n`` is the number of tokens."""

    __slots__ = ("text", "start", "end", "key", "word", "acr", "title", "n")

    def __init__(self, text: str):
        parts = _TOKEN_SPLIT_RE.split(text)
        texts = parts[1::2]
        # running sums of the part lengths: offsets[2k] is where token k starts, offsets[2k + 1] where it ends
        offsets = list(accumulate(map(len, parts)))
        del parts
        starts = offsets[0:-1:2]  # the last offset is the end of the text, not a token's start
        ends = offsets[1::2]
        edits = _token_edits(text, texts, starts, ends)
        if edits:
            new_texts: list[str] = []
            new_starts: list[int] = []
            new_ends: list[int] = []
            prev = 0
            for k, repl in edits:
                new_texts += texts[prev:k]
                new_starts += starts[prev:k]
                new_ends += ends[prev:k]
                for t, s in repl:
                    new_texts.append(t)
                    new_starts.append(s)
                    new_ends.append(s + len(t))
                prev = k + 1
            new_texts += texts[prev:]
            new_starts += starts[prev:]
            new_ends += ends[prev:]
            texts, starts, ends = new_texts, new_starts, new_ends
        self.text = texts
        self.start = starts
        self.end = ends
        infos = list(map(_WORD_INFO.__getitem__, texts))
        if infos:
            self.key, self.word, self.acr, self.title = zip(*infos)
        else:
            self.key = self.word = self.acr = self.title = ()
        self.n = len(texts)


def _token_edits(text: str, texts: list[str], starts: list[int], ends: list[int]) -> list[tuple[int, tuple]]:
    """(token index, replacement tokens as (text, start) pairs) of every token that is
    dropped (replacement ``()``) or split, in index order.

    Dropped: tokens inside a web address, a line break that only wraps a line, a
    hyphen or slash inside a word. Split: "what works’" after an opening quote
    is the word and a closing quote, not a plural possessive. Only the few
    tokens these rules can concern are visited."""
    n = len(text)
    drop_urls: set[int] = set()
    for m in _URL_RE.finditer(text):
        us, ue = m.span()
        drop_urls.update(range(bisect.bisect_left(starts, us), bisect.bisect_left(starts, ue)))
    # compress/map keep the scan of every token in C
    events = list(compress(count(), map(_EVENT_TOKENS.__contains__, texts)))
    if "'" in text or "\u2018" in text:
        # words ending in a quote, closing-quote candidates: only a plural possessive
        # ("victims'") can, so each ends where the text has s' or s\u2019
        closers = []
        for m in _S_QUOTE_RE.finditer(text):
            k = bisect.bisect_left(ends, m.end())
            if k < len(ends) and ends[k] == m.end() and len(texts[k]) > 1 and texts[k][-1] in "'\u2019":
                closers.append(k)
        if closers:
            events = sorted(set(events).union(closers))
    if drop_urls:
        events = sorted(set(events) | drop_urls)
    edits: list[tuple[int, tuple]] = []
    delta = 0  # tokens added minus tokens dropped before the current one
    quote_open = -1  # output index of an opening quote token not yet closed
    for k in events:
        if k in drop_urls:
            edits.append((k, ()))
            delta -= 1
            continue
        t = texts[k]
        s = starts[k]
        if t == "\n":
            if soft_newline(text, s):
                edits.append((k, ()))  # a wrapped line inside a paragraph is just a space
                delta -= 1
            else:
                quote_open = -1
        elif t in _JOINERS:
            if 0 < s and s + 1 < n and text[s - 1].isalnum() and text[s + 1].isalnum():
                edits.append((k, ()))
                delta -= 1
        elif t == "\u2018" or t == "'":
            if s == 0 or not text[s - 1].isalnum():
                quote_open = k + delta
        elif quote_open >= 0 and k + delta - quote_open <= 8 and len(t) > 1:
            # "‘what works’": a closing quote, not a plural possessive
            edits.append((k, ((t[:-1], s), (t[-1], s + len(t) - 1))))
            delta += 1
            quote_open = -1
    return edits


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
_PAREN = frozenset("(")
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


def _acr_letters(acr: str) -> str:
    core = acr[:-1] if acr.endswith("s") and len(acr) > 2 else acr
    return "".join(c for c in core if c.isupper() or c.isdigit()).lower()


def _acr_norm(acr: str) -> str:
    """'MASHs' -> 'MASH'; the form an entity keeps."""
    return acr[:-1] if acr.endswith("s") and len(acr) > 2 and acr[:-1].upper() == acr[:-1] else acr


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


@lru_cache(maxsize=8192)
def _name_key(name: str, kind: str) -> str:
    """The merge key of a name: match keys, leading generic words dropped, unit = team,
    a system's generic tail words dropped (cached: the same names recur)."""
    words = [match_key(w) for w in WORD_RE.findall(name)]
    while words and words[0] in _NAME_KEY_DROP and len(words) > 1:
        words.pop(0)
    if kind == "unit" and words and words[-1] == "unit":
        words[-1] = "team"
    if kind == "system":
        core = [w for w in words if w not in SYSTEM_TAIL]
        words = core or words
    return " ".join(words)


class _Extractor:
    """One report's extraction: candidates from every pass, then resolution and merging."""

    def __init__(self, report: Report, lexicon: Lexicon):
        self.r = report
        self.text = report.text
        self.lex = lexicon
        cols = _Tokens(self.text)
        self.n = cols.n
        # the token columns, unpacked into locals by every pass
        self.cols = (cols.text, cols.start, cols.end, cols.key, cols.word, cols.acr, cols.title)
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        self.tstart, self.tend = tstart, tend
        self.cands: list[_Cand] = []
        # where each later pass needs to look: the indexes of the few tokens that matter,
        # picked by compress/map scans of the columns (C loops, no Python per token)
        self.lex_hits: list[int] = list(compress(count(), map(lexicon.index.__contains__, tkey)))
        self.special_hits: list[int] = list(compress(count(), map(_SPECIAL.__contains__, tkey)))
        self.paren_hits: list[int] = list(compress(count(), map(_PAREN.__contains__, tkey)))
        self.acr_hits: list[int] = list(compress(count(), tacr))
        # capitalised words that are not acronyms: title and not acr, i.e. title > acr
        self.title_hits: list[int] = list(compress(count(), map(gt, ttitle, tacr)))
        own = normalise(report.force or "")
        self.own_force = own
        self.own_area = " ".join(w for w in own.split() if w not in ("police", "constabulary", "service"))
        self._notes: Optional[dict] = None  # footnote number -> Footnote (see _definition)

    # ---- helpers
    def surface(self, c: _Cand) -> str:
        return self.text[self.tstart[c.s] : self.tend[c.e - 1]]

    def words_text(self, s: int, e: int) -> str:
        return self.text[self.tstart[s] : self.tend[e - 1]]

    # ---- 1. lexicon
    def lexicon_pass(self) -> None:
        index1, index2 = self.lex.index1, self.lex.index2
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        for i in self.lex_hits:
            if not tword[i]:
                continue
            ti_key = tkey[i]
            entries = index2.get((ti_key, tkey[i + 1]), ()) if i + 1 < n else ()
            single = index1.get(ti_key)
            if single:
                entries = [*entries, *single]
            for ent in entries:
                k = len(ent.keys)
                if i + k > n:
                    continue
                ok = True
                for j in range(k):
                    if not tword[i + j] or tkey[i + j] != ent.keys[j]:
                        ok = False
                        break
                    tj_text = ttext[i + j]
                    if j < k - 1 and not ent.possessive[j] and tj_text.endswith(("'s", "\u2019s")):
                        ok = False  # "force's contact centre" is the contact centre, said of the force
                        break
                    cs = ent.cases[j]
                    if cs == "upper":
                        core = tj_text[:-1] if tj_text.endswith("s") and len(tj_text) > 2 else tj_text
                        if core.upper() != core:
                            ok = False
                            break
                    elif cs == "title" and not tj_text[0].isupper():
                        ok = False
                        break
                if ok:
                    c = ent.concept
                    s = i
                    # "Luton Youth Offending Service": a capitalised local prefix names a local instance
                    if c.kind == "partner" and ttext[i][0].isupper() and not ent.is_acronym:
                        while s > 0 and ttitle[s - 1] and tkey[s - 1] not in STOP and not tacr[s - 1] \
                                and s - 1 > 0 and ttext[s - 2] not in ".\n" and i - s < 3:
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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        if e + 2 >= n or tkey[e] != "for":
            return e
        j = e + 1
        if tkey[j] == "the":
            j += 1
        words = 0
        while j < n and tword[j] and not ttitle[j] and (tkey[j] not in STOP or tkey[j] == "and") \
                and tkey[j] not in VERBS and words < 4:
            j += 1
            words += 1
        if words == 0 or tkey[j - 1] == "and" or (j < n and tword[j]):
            return e
        return j

    # ---- 2. acronym definitions
    def _spell(self, words: list[int], letters: str) -> Optional[int]:
        """Index into `words` where an expansion spelling `letters` starts, or None.
        Words match by their initial; small words may be skipped; at most three
        other words may be skipped (CMIT = child sexual exploitation and missing
        people investigation team)."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        small = {"and", "of", "the", "for", "in", "on", "to", "&", "with", "a"}
        initials = [ttext[w][0].lower() for w in words]
        lows = [ttext[w].lower() for w in words]
        keys = [tkey[w] for w in words]

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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        out: list[int] = []
        j = p - 1
        while j >= 0 and len(out) < limit:
            if tword[j]:
                if ttext[j].endswith(("'s", "\u2019s")) and out:
                    break
                out.append(j)
            elif ttext[j] != ",":
                break
            j -= 1
        out.reverse()
        return out

    def acronym_pass(self) -> None:
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        for i in sorted(self.paren_hits + self.acr_hits + [j for j in self.special_hits if tkey[j] == "known"]):
            if i >= n - 2:
                continue
            if ttext[i] == "(" and tacr[i + 1] and ttext[i + 2] in "),;":
                self._define(i, i + 1, i + 3 if ttext[i + 2] == ")" else i + 2)
            elif tacr[i] and ttext[i + 1] == "(" and i > 0:
                # "THRIVE (threat, harm, risk ...)"
                j = i + 2
                words = []
                while j < n and j < i + 16 and (tword[j] or ttext[j] == ","):
                    if tword[j]:
                        words.append(j)
                    j += 1
                if j < n and ttext[j] == ")" and words:
                    st = self._spell(words, _acr_letters(ttext[i]))
                    if st == 0:
                        self._add_definition(words[0], words[-1] + 1, i, j + 1, None)
            elif tkey[i] == "known" and tkey[i + 1] == "a" and i + 2 < n and tacr[i + 2] and i > 1 \
                    and ttext[i - 1] == ",":
                self._define(i - 1, i + 2, i + 3, comma=True)

    def _define(self, p: int, ai: int, after: int, comma: bool = False) -> None:
        """An acronym (token ai) defined by the words before token p."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        words = self._words_before(p)
        if not words:
            return
        letters = _acr_letters(ttext[ai])
        st = self._spell(words, letters)
        if st is None and len(letters) >= 4:
            # "child abuse and vulnerable adults (CAVAA)": one trailing letter the words do not spell
            st = self._spell(words, letters[:-1])
        if st is None:
            return
        ws = words[st]
        we = words[-1] + 1
        head = None
        if after < self.n and tword[after] and tkey[after] in HEADS and tkey[after] != "group":
            head = after
        self._add_definition(ws, we, ai, (head + 1) if head is not None else after, head)

    def _add_definition(self, ws: int, we: int, ai: int, end: int, head: Optional[int]) -> None:
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        expansion = self.words_text(ws, we)
        last = tkey[we - 1]
        kind = None
        belongs = True
        concept = self.lex.acronyms.get(tkey[ai])
        if concept is None:
            concept = self._lexicon_phrase(ws, we)
        if last in HEADS and HEADS[last] != "meeting":
            kind = HEADS[last]
        elif last in HEADS and last != "group":
            kind = "meeting"
        if head is not None:
            hk = tkey[head]
            kind = HEADS[hk]
            expansion = expansion + " " + ttext[head]
            # the acronym names a team ("VSOM team"); "ASB powers" are powers about ASB
            belongs = hk in UNIT_HEADS or (concept is not None and concept.kind == kind)
            if not belongs:
                concept = self._lexicon_phrase_text(expansion)
        if concept is not None and belongs:
            kind = concept.kind
        if kind is None:
            return
        if kind == "meeting" and any(tkey[k] in PARTNER_WORDS for k in range(ws, we)):
            kind = "partner"
        if kind == "unit" and tkey[ws] in ("regional", "national", "multi", "joint"):
            kind = "partner"
        c = _Cand(ws, end, kind, "acronym", name=_clean_name(expansion), concept=concept, prio=4,
                  acronym=_acr_norm(ttext[ai]) if belongs else None, expansion=_clean_name(expansion))
        c.keys.append(f"n:{kind}:{self._name_key(expansion, kind)}")
        if head is not None and belongs:
            short = _acr_norm(ttext[ai]) + " " + ttext[head]
            c.keys.append(f"n:{kind}:{self._name_key(short, kind)}")
            c.aliases.append(short)
        self.cands.append(c)
        if belongs:
            self.known_acronyms[tkey[ai]] = c

    def _lexicon_phrase(self, ws: int, we: int) -> Optional[Concept]:
        keys = tuple(self.cols[3][ws:we])  # the match keys of tokens ws..we-1
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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        for i in self.special_hits:
            if not tword[i]:
                continue
            k = tkey[i]
            if k in ("operation", "project") and ttext[i][0].isupper() and i + 1 < n and ttitle[i + 1] \
                    and tkey[i + 1] not in STOP and tkey[i + 1] not in HEADS:
                e = i + 2
                while e < n and ttitle[e] and tkey[e] not in STOP and e < i + 4:
                    e += 1
                self.cands.append(_Cand(i, e, "programme", "pattern", prio=2, subkind=k))
            elif k in HEADS:
                self._head(i)
            elif k == "law" and ttext[i][0] == "L" and i > 0 and tword[i - 1] and ttitle[i - 1] \
                    and ttext[i - 1].endswith(("'s", "\u2019s")):
                self.cands.append(_Cand(i - 1, i + 1, "power", "pattern", prio=2, subkind="scheme"))
            elif k == "section" and ttext[i].lower() == "section" and i + 1 < n and ttext[i + 1].isdigit():
                e = i + 2
                # "section 136 of the Mental Health Act 1983"
                if e + 2 < n and tkey[e] == "of" and tkey[e + 1] == "the":
                    j = e + 2
                    while j < n and ttitle[j] and j < e + 8:
                        j += 1
                    if j > e + 2 and tkey[j - 1] == "act":
                        e = j + 1 if j < n and ttext[j].isdigit() else j
                # a bare low number is more likely a section of a report than of an Act
                if e > i + 2 or int(ttext[i + 1]) >= 10:
                    self.cands.append(_Cand(i, e, "power", "pattern", prio=2, subkind="power",
                                            keys=[f"n:power:section {ttext[i + 1]}"]))
            elif k in _FORCE_HEADS and ttext[i][0].isupper():
                self._force(i, i + 1)
            elif k in ("constabulary", "force") and ttext[i][0].islower() and ttext[i].endswith(("ies", "es")):
                self._force_pair(i)
            elif k == "called" or (k == "known" and i + 1 < n and tkey[i + 1] == "a"):
                self._called(i)

    def _head(self, i: int) -> None:
        """A name ending in the head word (token i) ("Emerald team", "search warrants"):
        collect the modifiers before it up to a determiner, verb, preposition or
        punctuation, drop generic ones, and classify by head word and context."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        hk = tkey[i]
        kind = HEADS[hk]
        mods: list[int] = []
        j = i - 1
        has_and = False
        quoted_from = None
        if hk == "ordinator":
            j -= 1  # skip the "co" of "co-ordinator"
        while j >= 0 and len(mods) < 7:
            if not tword[j]:
                if ttext[j] in "'\u2019\u201d" and j == i - 1 - (hk == "ordinator") or (ttext[j] in "'\u2019\u201d" and mods):
                    # "‘seven-force collaboration’ programme": a quoted name before the head
                    q = j - 1
                    while q >= 0 and tword[q] and j - q <= 5:
                        q -= 1
                    if q >= 0 and q < j - 1 and ttext[q] in "'\u2018\u201c" and tkey[j - 1] not in HEADS:
                        mods.extend(range(j - 1, q, -1))
                        quoted_from = q
                break
            lw = ttext[j].lower()
            key = tkey[j]
            if key == "and" and mods and not has_and and j > 0 and tword[j - 1] \
                    and tkey[j - 1] not in STOP and tkey[j - 1] not in VERBS:
                has_and = True
                mods.append(j)
                j -= 1
                continue
            if lw in STOP or key in STOP or key in VERBS or ttext[j][0].isdigit() or "n'" in lw or "n\u2019" in lw:
                break
            if kind == "power" and key.endswith("ing"):
                break
            if lw.endswith("ly") and lw not in LY_OK:
                break
            if ttext[j].endswith(("'s", "\u2019s")) or (len(ttext[j]) == 1 and ttext[j].islower()):
                break
            if key in HEADS and HEADS[key] != "meeting" and j != i - 1:
                break
            if tacr[j] and key in self.lex.acronyms and self.lex.acronyms[key].kind in ("partner", "place") \
                    and kind in ("unit", "system"):
                return  # "county MASH centres", "the ACRO system": part of a partner, not a unit of the force
            mods.append(j)
            j -= 1
        if mods and tkey[mods[-1]] == "and":
            mods.pop()
        mods.reverse()
        # "resourcing community teams": a leading verb form is not part of the name
        while mods and tkey[mods[0]].endswith("ing") and tkey[mods[0]] not in ING_NOUNS:
            mods.pop(0)
        if has_and:
            a = next((q for q, m in enumerate(mods) if tkey[m] == "and"), None)
            # "police and local NHS health trust": a generic left half is not part of the name
            if a is None:
                has_and = False
            elif all(tkey[m] in GENERIC or tkey[m] in STOP for m in mods[:a]):
                mods = mods[a + 1 :]
                has_and = False
        # drop generic leading modifiers
        while mods and (tkey[mods[0]] in LEAD_DROP or tkey[mods[0]] == "and"):
            mods.pop(0)
        if not mods:
            return
        mkeys = [tkey[m] for m in mods]
        if all(mk in GENERIC or mk == "and" for mk in mkeys):
            # "court orders", "legal powers": claim the words so the lexicon does not read "court" as a partner
            self.cands.append(_Cand(mods[0], i + 1, None, "pattern", prio=-1))
            return
        # a power head right after another ("civil injunction notices"): the inner one names it
        end = i + 1
        if kind == "power" and tkey[i - 1] in HEADS and HEADS[tkey[i - 1]] == "power" and len(mods) > 1:
            end = i
            mods = mods[:-1]
        if kind == "power":
            if len(mods) == 1 and (tkey[mods[0]].endswith("ed")):
                return
            if hk == "order" and len(mods) == 1 and not ttext[i].lower().endswith("s"):
                return  # "public order", "court order": a singular order needs a fuller name
        if kind == "system" and all(mk in SYSTEM_TAIL or mk in GENERIC or mk in ("partner", "crime") for mk in mkeys):
            return  # "computer database", "partner databases"
        if kind == "system" and hk == "model" and not any(tacr[m] or
                                                          (ttitle[m] and m != mods[0]) for m in mods):
            return
        if kind == "programme" and all(mk in GENERIC or mk in ("resourcing", "care", "safety", "management", "action",
                                                                "communications", "training") for mk in mkeys):
            return
        if hk == "group" and not any(mk in GROUP_MODIFIERS for mk in mkeys):
            return
        if hk == "initiative" and not any(ttitle[m] for m in mods) and len(mods) < 2:
            return  # "preventative initiatives": a description, not a name
        if kind == "meeting":
            if any(mk in PARTNER_WORDS for mk in mkeys):
                kind = "partner"
            else:
                ss, se = _sentence_bounds(self.text, tstart[i])
                if _PARTNER_CTX_RE.search(self.text, ss, se):
                    kind = "partner"
            # "partnership board structure"
            if i + 1 < self.n and tkey[i + 1] in ("structure", "arrangement"):
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
        if kind == "system" and ttitle[s] and not tacr[s] and s > 0 and tword[s - 1] and tkey[s] not in STOP:
            self.proper.setdefault(tkey[s], cand)  # "the SafetyNet computer system" ... "access to SafetyNet"
        if has_and:
            cand.keys.append("and")
        self.cands.append(cand)

    def _force(self, i: int, e: int) -> None:
        """'<Name> Police|Constabulary [Service]': another force (a partner when the
        sentence is about working together) or the report's own force (a block)."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        j = i - 1
        while j >= 0 and tword[j] and (ttitle[j] or (tkey[j] == "of" and j > 0 and ttitle[j - 1])) \
                and tkey[j] not in _STOP_BUT_OF and not tacr[j]:
            j -= 1
        s = j + 1
        if s == i:
            return
        if e < self.n and tkey[e] == "service" and ttitle[e]:
            e += 1
        name = self.words_text(s, e)
        area = " ".join(match_key(ttext[k]) for k in range(s, i))
        if _normalise(name) == self.own_force or area == match_key(self.own_area):
            self.cands.append(_Cand(s, e, None, "pattern", prio=5))
            return
        ss, se = _sentence_bounds(self.text, tstart[s])
        sentence = self.text[ss:se]
        before = self.text[max(ss, tstart[s] - 40) : tstart[s]].lower()
        if _COLLAB_RE.search(sentence) or re.search(r"\bwith (?:the )?(?:\w+ (?:and|,) )?$", before):
            self.cands.append(_Cand(s, e, "partner", "pattern", prio=5, subkind="police force",
                                    keys=[f"force:{area}"]))
        else:
            self.cands.append(_Cand(s, e, None, "pattern", prio=5))

    def _force_pair(self, i: int) -> None:
        """'Cambridgeshire and Hertfordshire constabularies' -> two forces."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        if i < 3 or tkey[i - 2] != "and" or not ttitle[i - 1] or not ttitle[i - 3]:
            return
        ss, se = _sentence_bounds(self.text, tstart[i])
        if not _COLLAB_RE.search(self.text[ss:se]) and " with " not in self.text[max(ss, tstart[i - 3] - 20):tstart[i - 3]]:
            return
        word = "Constabulary" if tkey[i] == "constabulary" else "force"
        for k in (i - 3, i - 1):
            area = match_key(ttext[k])
            if area == match_key(self.own_area):
                continue
            c = _Cand(k, k + 1, "partner", "pattern", name=f"{ttext[k]} {word}", prio=5, subkind="police force",
                      keys=[f"force:{area}"], split=True)
            self.cands.append(c)

    def _called(self, i: int) -> None:
        """'a computer database (called ‘Inspire’)': a name in quotes after called/known as."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        j = i + 1 if tkey[i] == "called" else i + 2
        if j >= n or ttext[j] not in _QUOTES:
            return
        k = j + 1
        while k < n and tword[k] and k < j + 5:
            k += 1
        if k == j + 1 or k >= n or ttext[k] not in _QUOTES or not ttitle[j + 1]:
            return
        kind = None
        for b in range(i - 1, max(-1, i - 6), -1):
            if tword[b] and tkey[b] in HEADS:
                kind = HEADS[tkey[b]]
                break
        if kind is None or kind in ("meeting", "role"):
            return
        name = self.words_text(j + 1, k)
        c = _Cand(j + 1, k, kind, "pattern", prio=2, keys=[f"n:{kind}:{self._name_key(name, kind)}"])
        self.cands.append(c)
        self.proper[tkey[j + 1]] = c

    # ---- 4. places
    def place_pass(self) -> None:
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        area = self.own_area
        area_keys = tuple(match_key(w) for w in area.split()) if area else ()
        hits = self.title_hits if not area_keys else sorted(self.title_hits + self.acr_hits)
        for i in sorted(hits + [j for j in self.special_hits if tkey[j] in ("in", "at", "across")]):
            if area_keys and tword[i] and tkey[i] == area_keys[0] and ttitle[i]:
                k = len(area_keys)
                if all(i + q < n and tkey[i + q] == area_keys[q] for q in range(k)):
                    self.cands.append(_Cand(i, i + k, "place", "pattern", prio=0, subkind="force area",
                                            keys=[f"n:place:{' '.join(area_keys)}"]))
            if tword[i] and tkey[i] in ("in", "at", "across") and i + 1 < n:
                j = i + 1
                while j < n:
                    if not (ttitle[j] and tkey[j] not in PLACE_STOP and not tacr[j] and not ttext[j][0].isdigit()):
                        break
                    e = j + 1
                    while e < n and ttitle[e] and tkey[e] not in PLACE_STOP and e < j + 3:
                        e += 1
                    if e < n and tword[e] and (tkey[e] in HEADS or tkey[e] in _FORCE_HEADS):
                        break
                    self.cands.append(_Cand(j, e, "place", "pattern", prio=0, subkind="place",
                                            keys=[f"n:place:{self._name_key(self.words_text(j, e), 'place')}"]))
                    # a list: "at Bedford, Dunstable and Luton"
                    if e + 1 < n and (ttext[e] == "," or tkey[e] == "and"):
                        j = e + 1
                        continue
                    break

    # ---- names
    def _name_key(self, name: str, kind: str) -> str:
        return _name_key(name, kind)

    # ---- resolution
    def resolve(self) -> list[_Cand]:
        """Overlapping candidates: the longest span wins (then the stronger source,
        then the leftmost); a candidate overlapping a kept one is dropped."""
        kept: list[_Cand] = []
        occupied = bytearray(self.n + 1)
        order = sorted(self.cands, key=lambda c: (-(self.tend[c.e - 1] - self.tstart[c.s]), -c.prio, c.s))
        for c in order:
            if 1 in occupied[c.s : c.e]:  # bytes tests and fills (C) instead of loops over tokens
                continue
            occupied[c.s : c.e] = b"\x01" * (c.e - c.s)
            kept.append(c)
        kept.sort(key=lambda c: c.s)
        return kept

    def bare_pass(self, kept: list[_Cand]) -> list[_Cand]:
        """Mentions of defined acronyms ('ICAIT', 'VSOMT') and quoted names ('Inspire') elsewhere."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        occupied = bytearray(self.n + 1)
        for c in kept:
            occupied[c.s : c.e] = b"\x01" * (c.e - c.s)
        out = []
        for i in sorted(self.acr_hits + self.title_hits):
            if occupied[i] or not tword[i]:
                continue
            src = None
            if tacr[i]:
                src = self.known_acronyms.get(tkey[i])
                if src is None and len(tkey[i]) > 3 and tkey[i][-1] in "tu":
                    src = self.known_acronyms.get(tkey[i][:-1])  # VSOMT = VSOM team
                    if src is not None and src.kind != "unit":
                        src = None
            elif ttext[i][0].isupper():
                src = self.proper.get(tkey[i])
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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        for c in kept:
            if c.kind != "unit" or c.e - c.s != 2:
                continue
            if not tacr[c.s] or tkey[c.s + 1] not in UNIT_HEADS or tkey[c.s] in self.known_acronyms:
                continue
            c.acronym = c.acronym or _acr_norm(ttext[c.s])
            self.known_acronyms[tkey[c.s]] = c

    def _drop_inside_partners(self) -> None:
        """'the Immigration Enforcement command and control unit' is part of a partner
        the lexicon knows, not a unit of the force."""
        cover = bytearray(self.n + 1)
        spans = set()
        for c in self.cands:
            if c.how == "lexicon" and c.kind in ("partner", "place"):
                spans.add((c.s, c.e))
                cover[c.s : c.e] = b"\x01" * (c.e - c.s)
        self.cands = [c for c in self.cands
                      if not (c.how == "pattern" and c.kind in ("unit", "system", "programme", "meeting")
                              and (c.s, c.e) not in spans and 1 in cover[c.s : c.e])]

    def _drop_levels(self, kept: list[_Cand]) -> list[_Cand]:
        """'at local authority, basic command unit or community safety partnership level':
        names in a list that ends in 'level' are tiers of geography, not bodies."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        by_start = {c.s: c for c in kept}
        drop = set()
        for c in reversed(kept):
            if c.e < n and tkey[c.e] == "level":
                drop.add(id(c))
            elif c.e + 1 < n and ttext[c.e] in (",",) or (c.e < n and tkey[c.e] in ("or", "and")):
                nxt = by_start.get(c.e + 1)
                if nxt is not None and id(nxt) in drop:
                    drop.add(id(c))
        return [c for c in kept if id(c) not in drop]

    def _appositives(self, kept: list[_Cand]) -> None:
        """'Action Fraud, the national fraud and cyber-crime reporting centre': the second
        name is another name of the first. 'Vale Safe Futures, a local charity': the
        capitalised name before the comma is a partner of that kind."""
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        n = self.n
        by_end = {c.e: c for c in kept if c.kind is not None}
        by_start = {c.s: c for c in kept if c.kind is not None}
        for c in list(kept):
            if c.kind is None:
                continue
            # "the national risk assessment tool, known as THRIVE": one thing, the name wins
            j = c.e + 1 if c.e < n and ttext[c.e] == "," else c.e
            if j + 2 < n and tkey[j] == "known" and tkey[j + 1] == "a":
                named = by_start.get(j + 2)
                if named is not None and named.kind == c.kind:
                    c.concept, c.how, c.name, c.acronym = named.concept, "alias", None, None
                    c.keys = [k for k in named.keys if k.startswith("n:")] or [
                        f"n:{named.kind}:{self._name_key(self.surface(named), named.kind)}"]
                    if named.concept is not None:
                        c.keys.append(f"c:{named.concept.id}")
                    continue
            a = c.s - 1
            while a > 0 and tkey[a] in LEAD_DROP:  # "a dedicated serious and organised crime team"
                a -= 1
            if a < 2 or tkey[a] not in ("the", "a", "an") or ttext[a - 1] != ",":
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
            while j >= 0 and ttitle[j] and tkey[j] not in STOP and a - 2 - j < 5:
                j -= 1
            if j == a - 2 or (j >= 0 and ttext[j] in ".\n"):
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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        for c in kept:
            if "and" not in c.keys:
                out.append(c)
                continue
            c.keys.remove("and")
            a = next((k for k in range(c.s, c.e) if tkey[k] == "and"), None)
            if a is None or a == c.s or a >= c.e - 1:
                out.append(c)
                continue
            left = self.words_text(c.s, a) + " " + ttext[c.e - 1]
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
        ttext, tstart, tend, tkey, tword, tacr, ttitle = self.cols
        text = self.text
        # Plain dicts as counters (insertion-ordered like Counter, without its per-key
        # Python overhead); min() with a key picks the first of equals, as sorted()[0] did.
        kinds: dict[str, int] = {}
        concept = None
        for c in members:
            w = 10 if c.concept is not None else (5 if c.how == "acronym" else 1)
            kinds[c.kind] = kinds.get(c.kind, 0) + w
            if c.concept is not None and (concept is None or c.concept.id < concept.id):
                concept = c.concept if concept is None or concept.kind != c.kind else concept
        kind = min(kinds.items(), key=_by_count)[0]
        if concept is not None and concept.kind != kind:
            concept = None
        mentions = []
        surfaces: dict[str, int] = {}
        voters = {id(c) for c in members if c.how != "alias"} or {id(c) for c in members}
        acronyms: dict[str, int] = {}
        expansions: dict[str, int] = {}
        bisect_right = bisect.bisect_right
        for c in members:
            spans = c.spans or ((tstart[c.s], tend[c.e - 1]),)
            vote = 1 if id(c) in voters else 0
            for s, e in spans:
                surf = text[s:e]
                p = bisect_right(pstarts, s) - 1
                para = paragraphs[p].index if p >= 0 and paragraphs[p].start <= s < paragraphs[p].end else None
                mentions.append(Mention(s, e, surf, para, c.how))
                form = c.name if c.split else _clean_name(surf)
                surfaces[form] = surfaces.get(form, 0) + vote
            if c.acronym:
                acronyms[c.acronym] = acronyms.get(c.acronym, 0) + 1
            if c.expansion:
                expansions[c.expansion] = expansions.get(c.expansion, 0) + 1
            for a in c.aliases:
                surfaces[a] = surfaces.get(a, 0)
            if c.name and c.how != "acronym":
                surfaces[c.name] = surfaces.get(c.name, 0)  # a proposed name counts as a form, not as a mention
        mentions.sort(key=_mention_order)
        acronym = None
        if acronyms:
            acronym = min(acronyms.items(), key=_by_count)[0]
        elif concept is not None and concept.notation:
            acronym = concept.notation
        if concept is not None:
            name = concept.pref_label
        elif expansions:
            name = min(expansions.items(), key=_by_count)[0]
        else:
            forms: dict[str, int] = {}
            several = len(surfaces) > 1
            for s, k in surfaces.items():
                if acronym and s == acronym or (several and _looks_acronym(s)):
                    continue
                f = _decap(s, surfaces)
                forms[f] = forms.get(f, 0) + k
            if not forms:
                forms = dict(surfaces)
            name = min(forms.items(), key=_by_count_lower_first)[0]
            if kind == "system":
                # "Inspire" over "Inspire computer system": the distinctive core, when it is written alone
                core = [f for f in forms if " " not in f and f[:1].isupper() and not _looks_acronym(f)]
                if core:
                    name = min(core, key=lambda f: (-forms[f], f))
        for c in members:
            if c.name and c.how != "acronym" and c.how != "lexicon":
                surfaces[c.name] = surfaces.get(c.name, 0)
        low = _fold(name)
        aliases = sorted({s for s in surfaces if s and _fold(s) != low and s != acronym})
        subkind = concept.subkind if concept is not None else None
        if subkind is None:
            subs: dict[str, int] = {}
            for c in members:
                if c.subkind:
                    subs[c.subkind] = subs.get(c.subkind, 0) + 1
            if subs:
                subkind = min(subs.items(), key=_by_count)[0]
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


def _by_count(kv: tuple[str, int]) -> tuple[int, str]:
    return -kv[1], kv[0]


def _by_count_lower_first(kv: tuple[str, int]) -> tuple[int, bool, str]:
    return -kv[1], not kv[0][:1].islower(), kv[0]


def _mention_order(m: Mention) -> tuple[int, int]:
    return m.start, m.end


# pure functions of a name, called for the same names many times per report: cached
@lru_cache(maxsize=8192)
def _fold(s: str) -> str:
    return " ".join(s.lower().replace("\u2019", "'").split())


@lru_cache(maxsize=8192)
def _looks_acronym(s: str) -> bool:
    core = s[:-1] if s.endswith("s") and len(s) > 2 else s
    ups = sum(c.isupper() for c in core)
    return " " not in s and ups >= 2 and ups >= len(core) - 1


def _decap(s: str, surfaces: dict) -> str:
    """'Community policing teams' at a sentence start is 'community policing teams'."""
    if s[:1].isupper() and len(s) > 1 and s[1:2].islower():
        low = s[0].lower() + s[1:]
        if low in surfaces:
            return low
    return s


@lru_cache(maxsize=8192)
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
    return _Extractor(report, lex).run()
