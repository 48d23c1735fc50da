"""What a caller's words say about the event (来电内容特征), for matching calls about one event. Pure.

Callers describe one event in many ways: 着火了 / 起火 / 失火 / 冒黑烟, 车祸 / 两车相撞 / 追尾,
in any order, with fillers, details and typos. `features` turns a text into three things:

- **kinds** of event named by the domain lexicon below (`KIND_WORDS`): every synonym of a kind
  counts as the kind itself (``#fire``), so paraphrases agree and different events disagree;
- **place names** (``@解放路``): runs of characters ending in a place word (路, 街, 小区, 广场, 隧道 …),
  without the leading preposition (在, 到, 往 …);
- **terms**: the rest as character pairs (Chinese, Japanese; a lone character as itself) and lower-cased
  words (other scripts), without fillers every caller says (你好, 快来, 这里 …). A typo spoils one or
  two pairs, not the whole text.

Kinds that often come together (a crash and the fire it starts, a gas leak and its explosion) are
`related`; kinds that are neither equal nor related say the texts are about different events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from pypinyin import pinyin_dict

# The kinds of event callers report, with the words they use for them (zh-CN, then English).
# fmt: off
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "fire": (
        "火灾", "着火", "起火", "失火", "火情", "大火", "火光", "明火", "火势", "烧起来", "烧着", "烧了",
        "燃烧", "冒烟", "浓烟", "黑烟", "冒火", "火苗", "火焰", "火很大", "烟很大",
        "fire", "burning", "blaze", "flames", "on fire",
    ),
    "traffic": (
        "车祸", "交通事故", "撞车", "相撞", "追尾", "侧翻", "翻车", "碰撞", "撞上", "撞到", "撞了", "被撞",
        "刮蹭", "连环撞", "撞在一起", "车撞", "撞倒",
        "crash", "collision", "collided", "car accident", "traffic accident", "rear-ended", "overturned",
        "hit by a car", "hit each other",
    ),
    "collapse": (
        "坍塌", "倒塌", "塌了", "垮塌", "塌陷", "塌方", "垮了", "坍了",
        "collapse", "collapsed", "caved in", "cave-in",
    ),
    "explosion": (
        "爆炸", "炸了", "爆燃", "闪爆", "巨响", "爆了", "炸开", "一声响", "轰的一声",
        "explosion", "exploded", "blast",
    ),
    "flood": (
        "洪水", "内涝", "积水", "淹了", "被淹", "水淹", "进水", "漫水", "决堤", "水漫", "发大水", "涨大水",
        "flood", "flooding", "flooded", "waterlogged",
    ),
    "landslide": (
        "山体滑坡", "滑坡", "塌方", "泥石流", "落石", "山塌", "土方", "山上掉石头",
        "landslide", "mudslide", "rockfall",
    ),
    "gas_leak": (
        "燃气泄漏", "煤气泄漏", "天然气泄漏", "漏气", "煤气味", "燃气味", "气味刺鼻", "刺鼻", "毒气", "泄漏",
        "化学品", "液化气", "有毒气体", "嘶嘶", "漏东西", "罐子漏", "罐子裂",
        "gas leak", "leak", "leaking", "fumes", "smell of gas",
    ),
    "drowning": (
        "溺水", "落水", "掉进水", "掉进河", "掉河里", "掉水里", "跳河", "淹水里", "沉下去", "在水里挣扎",
        "drowning", "drowned", "fell into the water", "fell into the river",
    ),
    "stampede": ("踩踏", "挤倒", "人挤人", "拥挤", "推搡", "stampede", "crush"),
    "violence": (
        "打架", "斗殴", "持刀", "砍人", "伤人", "抢劫", "行凶", "动刀", "打人", "群殴",
        "fight", "fighting", "stabbing", "knife", "robbery",
    ),
    "medical": (
        "晕倒", "昏迷", "心脏病", "抽搐", "中毒", "食物中毒", "不省人事", "呼吸困难", "没有呼吸", "倒地不起",
        "unconscious", "heart attack", "poisoning", "not breathing",
    ),
    "power_outage": ("停电", "断电", "没电", "电线断", "变压器", "power outage", "blackout"),
    "earthquake": ("地震", "震感", "晃得厉害", "房子在晃", "earthquake", "tremor", "quake"),
    "trapped": ("被困", "困住", "困在", "出不来", "trapped", "stuck inside"),
}
# Words that contain the word of a kind but are not about it (电线冒火花 is no fire, 大伙 no 大火).
NOT_KINDS = ("火花", "冒火花", "大伙", "火锅", "火车", "火柴", "开火车", "sparks", "smoke")
# fmt: on

# Kinds that are one event more often than two: neither says the other text is about something else.
# Deliberately few: linking a call about a second event to the first hides that event (it gets no
# process, no duty leader page, no deadlines), while a split is proposed for merging and undone by
# the duty leader in one action. A crash that catches fire thus starts as two incidents unless its
# callers say both (车祸起火), and the proposal merges them.
RELATED_KINDS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("fire", "explosion"),
        ("explosion", "gas_leak"),
        ("traffic", "gas_leak"),
        ("explosion", "collapse"),
        ("collapse", "earthquake"),
        ("collapse", "landslide"),
        ("landslide", "flood"),
        ("landslide", "earthquake"),
        ("flood", "drowning"),
        ("stampede", "medical"),
        ("stampede", "violence"),
        ("violence", "medical"),
        ("drowning", "medical"),
        ("gas_leak", "medical"),
    )
)
# Being trapped or hurt goes with any kind of event.
ANY_KIND = frozenset({"trapped"})

# The incident categories (突发事件分类) each kind of event can belong to.
KIND_CATEGORIES: dict[str, frozenset[str]] = {
    "fire": frozenset({"accident", "social_safety"}),
    "traffic": frozenset({"accident"}),
    "collapse": frozenset({"accident", "natural_disaster"}),
    "explosion": frozenset({"accident", "social_safety"}),
    "flood": frozenset({"natural_disaster", "accident"}),
    "landslide": frozenset({"natural_disaster"}),
    "gas_leak": frozenset({"accident", "public_health"}),
    "drowning": frozenset({"accident", "social_safety", "natural_disaster"}),
    "stampede": frozenset({"social_safety", "accident"}),
    "violence": frozenset({"social_safety"}),
    "medical": frozenset({"public_health", "social_safety"}),
    "power_outage": frozenset({"accident", "natural_disaster"}),
    "earthquake": frozenset({"natural_disaster"}),
    "trapped": frozenset({"accident", "natural_disaster", "social_safety", "public_health"}),
}

# Words that end a place name: roads, buildings, areas, waters.
# fmt: off
PLACE_WORDS = (
    "交叉口", "十字路口", "路口", "大道", "大街", "高速", "立交", "高架", "隧道", "大桥", "桥", "路", "街", "巷",
    "弄", "广场", "小区", "花园", "公寓", "新村", "大厦", "大楼", "商场", "商城", "市场", "超市", "中心",
    "医院", "学校", "中学", "小学", "大学", "幼儿园", "公园", "景区", "车站", "地铁站", "码头", "机场", "工厂",
    "厂", "工地", "仓库", "加油站", "酒店", "宾馆", "村", "镇", "乡", "山", "湖", "河", "江", "水库",
    "电影院", "影院", "剧院", "体育馆", "体育场", "图书馆", "博物馆", "派出所", "银行", "收费站", "服务区",
    "公交站", "停车场", "饭店", "菜市场",
)

# What every caller says whatever happened (greetings, calls for help, "here", "something
# happened"): it tells nothing about which event, so it is taken out before the words are compared.
FILLERS = (
    "喂", "你好", "您好", "请问", "我要报警", "报警", "我要", "快来人啊", "快来人", "快来", "快点", "赶快", "赶紧",
    "马上", "快派人", "派人", "过来", "来人啊", "来人", "帮帮忙", "帮忙", "救命啊", "救命", "求求你们", "谢谢",
    "这里", "这边", "那边", "那里", "现在", "好像", "看到", "听到", "发生了", "发生", "出事了", "出事", "出大事了",
    "情况", "怎么回事", "不知道", "什么", "我们", "他们", "你们", "已经", "很多", "好多", "一个", "这个", "那个",
    "附近", "旁边", "对面", "里面", "外面", "一下", "啊", "呀", "吧", "呢", "吗", "了", "的", "在", "有人", "有",
    "please", "help", "hello", "here", "there", "someone", "people", "near", "quick", "hurry", "send",
    "come", "now", "we", "i", "you", "they", "this", "that", "very", "just", "can", "need",
    "a", "an", "and", "are", "at", "by", "for", "from", "has", "have", "in", "is", "it", "of", "on", "or",
    "the", "to", "was", "were", "with",
)
# fmt: on

# CJK ideographs (with extensions A and B, compatibility ideographs) and kana: written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"


def _toneless(reading: str) -> str:
    return unicodedata.normalize("NFD", reading).encode("ascii", "ignore").decode().replace("u:", "v")


# Each character's first reading, without tones (着 → zhe): homophone typos (着伙 for 着火, 逆水 for
# 溺水, 车货 for 车祸), which pinyin input and speech-to-text make all the time, read the same.
_READING: dict[str, str] = {
    chr(code): _toneless(readings.split(",", 1)[0]) for code, readings in pinyin_dict.pinyin_dict.items()
}
SEPARATOR = "·"


def spell(text: str) -> str:
    """The text with every Chinese character as its reading between separators (着火 → ·zhe··huo·);
    other characters as they are."""
    return "".join(f"{SEPARATOR}{_READING[c]}{SEPARATOR}" if c in _READING else c for c in text)


def reading(name: str) -> str:
    """A name by the readings of its characters: 解放路 → jie-fang-lu."""
    return "-".join(_READING.get(c, c) for c in name)


def _spelled_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Chinese words by their readings anywhere, other words as whole words; the longest first."""
    chinese = sorted({spell(w) for w in words if not w.isascii()}, key=len, reverse=True)
    other = sorted({w for w in words if w.isascii()}, key=len, reverse=True)
    return re.compile(f"({'|'.join(map(re.escape, chinese))})|\\b({'|'.join(map(re.escape, other))})\\b")


# A word may name more than one kind (塌方: a collapse or a landslide).
_KINDS_OF_SPELLING: dict[str, set[str]] = {spell(word): set() for word in NOT_KINDS}
for _kind, _words in KIND_WORDS.items():
    for _word in _words:
        _KINDS_OF_SPELLING.setdefault(spell(_word.casefold()), set()).add(_kind)
_KIND_PATTERN = _spelled_pattern([*(w.casefold() for words in KIND_WORDS.values() for w in words), *NOT_KINDS])
_FILLER_PATTERN = _spelled_pattern(FILLERS)
_KIND_CHARS = re.compile(
    "|".join(map(re.escape, sorted((w for ws in KIND_WORDS.values() for w in ws if not w.isascii()), key=len)[::-1]))
)
_PLACE_WORD = re.compile("|".join(map(re.escape, sorted(PLACE_WORDS, key=len, reverse=True))))
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SPELLED_RUN = re.compile(f"(?:{SEPARATOR}[a-z]+{SEPARATOR})+")
_WORD = re.compile(f"[^\\W_{_CJK}{SEPARATOR}]+")
_CONNECTORS = re.compile("[与跟及、]")
_PREPOSITION = re.compile("[在到往从于近靠向去是的了就有个边旁里]")
_JUNCTIONS = ("十字路口", "交叉口", "路口")

KIND_MARK = "#"
PLACE_MARK = "@"


@dataclass(frozen=True)
class Features:
    """What a text says: kinds of event (``fire``), place names and other terms (both by reading:
    ``ren-he-gong-yuan``, ``gong-yuan``)."""

    kinds: frozenset[str]
    places: frozenset[str]
    terms: frozenset[str]

    @property
    def tokens(self) -> frozenset[str]:
        """Everything, marked: ``#fire``, ``@jie-fang-lu``, and the plain terms."""
        return (
            frozenset(KIND_MARK + k for k in self.kinds) | frozenset(PLACE_MARK + p for p in self.places) | self.terms
        )


def _terms(spelled: str) -> set[str]:
    """Pairs of neighbouring readings in each run of Chinese (a lone one as itself); other words."""
    terms: set[str] = set()
    for run in _SPELLED_RUN.findall(spelled):
        readings = run.strip(SEPARATOR).split(SEPARATOR * 2)
        terms.update(f"{a}-{b}" for a, b in pairwise(readings))
        if len(readings) == 1:
            terms.add(readings[0])
    terms.update(_WORD.findall(_SPELLED_RUN.sub(" ", spelled)))
    return terms


def _places(text: str) -> set[str]:
    """Place names: each run of characters between punctuation and connectors (与, 和 …)
    up to its last place word, after its last preposition (在, 到 …); a junction word (路口, 交叉口)
    after a named road is dropped, so 中山路交叉口 and 中山路路口 are both 中山路."""
    names: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for part in _CONNECTORS.split(run):
            ends = [m.end() for m in _PLACE_WORD.finditer(part)]
            if not ends:
                continue
            name = _PREPOSITION.split(part[: ends[-1]])[-1]
            for junction in _JUNCTIONS:
                head = name.removesuffix(junction)
                if head != name and _PLACE_WORD.search(head[-2:]) and len(head) > 2:
                    name = head
                elif junction == "路口" and head != name and len(head) >= 2:
                    name = head + "路"  # 和平路口: the junction of 和平路
            if len(name) >= 3 or (len(name) == 2 and not _PLACE_WORD.fullmatch(name)):
                names.add(name)
    return names


@lru_cache(maxsize=4096)
def features(text: str) -> Features:
    """The kinds, place names and terms of a text (see the module docstring)."""
    folded = text.casefold()
    kinds: set[str] = set()

    def kind_of(match: re.Match[str]) -> str:
        kinds.update(_KINDS_OF_SPELLING[match.group(0)])
        return " "

    # Place names first, by their characters (路, 小区 …; the words of kinds out of the way): kinds are not
    # looked for inside them, where a reading may happen to be one (兰亭电影院 reads like 停电).
    places = sorted(_places(_KIND_CHARS.sub(" ", folded)), key=len, reverse=True)
    rest = folded
    for name in places:
        rest = rest.replace(name, " ")
    spelled = _KIND_PATTERN.sub(kind_of, spell(rest))
    terms = _terms(_FILLER_PATTERN.sub(" ", spelled))
    for name in places:
        terms |= _terms(spell(name))
    return Features(kinds=frozenset(kinds), places=frozenset(map(reading, places)), terms=frozenset(terms))


def relation(a: frozenset[str], b: frozenset[str]) -> str:
    """How two sets of kinds of event relate: "same" (a kind in common), "related" (only related kinds),
    "other" (neither: two events), or "unknown" (either names none, or only 'trapped')."""
    a, b = a - ANY_KIND, b - ANY_KIND
    if not a or not b:
        return "unknown"
    if a & b:
        return "same"
    return "related" if any(frozenset((x, y)) in RELATED_KINDS for x in a for y in b) else "other"


def fits_category(kinds: frozenset[str], category: str) -> bool:
    """Whether an event of these kinds can be of a verified incident's category (事故灾难 …)."""
    named = kinds - ANY_KIND
    if not category or not named:
        return True
    return any(category in KIND_CATEGORIES.get(k, frozenset()) for k in named)
