"""Labelled surges of emergency calls, generated deterministically from a seeded ``random.Random``.

When an earthquake, a fire or a pile-up happens in a city, the duty room does not get one call: it
gets tens to hundreds, from passers-by, residents, drivers stuck behind the crash, people on the
other side of the river who only see the smoke. The calls about one event arrive in a burst — many
in the first minute or two, then a tail of late callers — and bursts of different events interleave.
Callers say the same thing in very different words (着火了 / 起火了 / 冒烟了 / 烧起来了), name the
place differently (the place's name, a shortened or misspelt form of it, a landmark and a direction,
or nothing at all), make homophone typos when the operator or the speech-to-text types them, and a
few only say "这边出大事了，快派人来". A foreigner now and then calls in English.

This module models such surges with the true answer attached: each generated :class:`SurgeCall`
carries ``event``, the index of the :class:`SurgeEvent` it is about. Uses:

* pure-rule tests of a call-to-incident matcher (one incident per event, no event split or merged);
* an integration test and a benchmark that send the calls to the real platform.

Geometry: events are placed within ``site_spread_m`` of their site's centre and at least
``min_separation_m`` from the other events of the same site; every located caller is within
``radius_m`` of the event (phone positioning plus where the caller stands). Names of places and
landmarks are made up from pools of street names, compounds, malls, schools, parks, tunnels, bridges
and factories, unique within a surge (and, while the pools last, sharing no road or name stem with
another event's names), so wording alone never ties two events together.

:func:`generate_neighbours` builds the hard case (two different events a few hundred metres apart at
the same time) and :func:`generate_cascade` a fixed four-call case. Standard library only; the
corpus was written without looking at any matcher so that it is a fair test of one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SITES",
    "KINDS",
    "Site",
    "Surge",
    "SurgeCall",
    "SurgeEvent",
    "generate_cascade",
    "generate_neighbours",
    "generate_surge",
]


@dataclass(frozen=True)
class Site:
    id: str  # e.g. "hz-01"
    latitude: float  # centre of the site's area
    longitude: float


@dataclass(frozen=True)
class SurgeEvent:
    index: int  # 0..N-1, the label
    site_id: str
    kind: str
    latitude: float
    longitude: float
    place_name: str  # made up but realistic, e.g. "解放路与中山路交叉口"


@dataclass(frozen=True)
class SurgeCall:
    event: int  # label: index of the event the call is about
    site_id: str
    latitude: float | None  # None for a caller who gave no location
    longitude: float | None
    place_text: str  # what the caller says about the place
    summary: str  # what happened, in the caller's words
    offset_s: float  # seconds after the surge start when the phone rang


@dataclass(frozen=True)
class Surge:
    events: tuple[SurgeEvent, ...]
    calls: tuple[SurgeCall, ...]  # in arrival order (sorted by offset_s)


# Hangzhou-, Ningbo- and Shaoxing-like centres: 51, 94 and 141 km apart.
DEFAULT_SITES: tuple[Site, ...] = (
    Site("hz-01", 30.2741, 120.1551),
    Site("nb-01", 29.8683, 121.5440),
    Site("sx-01", 30.0000, 120.5800),
)

# ---------------------------------------------------------------------------------------------
# Geometry (spherical Earth; the offset and the distance are exact inverses of each other)
# ---------------------------------------------------------------------------------------------

_EARTH_RADIUS_M = 6_371_008.8


def _offset(latitude: float, longitude: float, distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``distance_m`` from (latitude, longitude) towards ``bearing_deg`` (0 north, 90 east)."""
    phi1, lam1 = math.radians(latitude), math.radians(longitude)
    theta, delta = math.radians(bearing_deg), distance_m / _EARTH_RADIUS_M
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * sin_phi2
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _round_point(point: tuple[float, float]) -> tuple[float, float]:
    return round(point[0], 6), round(point[1], 6)  # ~0.1 m, what a phone reports


def _point_within(
    rng: random.Random, latitude: float, longitude: float, radius_m: float, *, near: bool = False
) -> tuple[float, float]:
    """A rounded point uniformly (``near``: biased towards the centre) within ``radius_m`` of the centre."""
    for _ in range(100):
        u = rng.random()
        r = radius_m * 0.98 * (u if near else math.sqrt(u))
        point = _round_point(_offset(latitude, longitude, r, rng.uniform(0.0, 360.0)))
        if _distance_m(latitude, longitude, *point) <= radius_m:
            return point
    return latitude, longitude  # radius below the rounding step


_COMPASS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


def _compass(bearing_deg: float) -> str:
    return _COMPASS[round((bearing_deg % 360.0) / 45.0) % 8]


# ---------------------------------------------------------------------------------------------
# Name pools
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ROADS = _words(
    "解放路 中山路 延安路 庆春路 凤起路 文三路 文二路 学院路 教工路 莫干山路 环城北路 体育场路 建国路 秋涛路 "
    "天目山路 西溪路 古墩路 丰潭路 江南大道 滨盛路 东方路 人民路 和平路 新华路 光明路 长江路 黄河路 湖滨路 "
    "南山路 钱江路 民生路 百丈路 中兴路 江东路 世纪大道 通途路 兴宁路 彩虹路 曙光路 育才路 胜利路 红旗路 "
    "朝阳路 振兴路 友谊路 健康路 青年路 建设路 工农路 复兴路 幸福路 兴业路 学府路 河滨路 城南路 望江路 运河路 "
    "之江路 石桥路 沈半路 上塘路 留和路 机场路 德胜路 艮山路 石祥路 九堡大道 临丁路 翠柏路 环城东路 中河路 "
    "北京路 天童路 宁穿路 福明路 惊驾路 新典路 桑田路 前进路 跃进路 团结路 春晖路 迎宾路 文化路 金山路"
)
_PREFIXES = _words(
    "阳光 金色 锦绣 翠苑 丽水 望湖 春晓 和睦 紫荆 桂花 枫林 香樟 明月 华盛 新港 湖畔 碧水 景芳 采荷 古荡 "
    "三墩 九堡 丁桥 笕桥 半山 良渚 闲林 转塘 双浦 龙坞 梅城 新塘 东湖 南星 江南 城北 城西 朝晖 潮鸣 长庆 "
    "米市 小河 祥符 康桥 崇贤 仁和 瓶窑 临平 乔司 塘栖 五常 蒋村 留下 翠湖 天鹅 明珠 绿洲 蓝湾 海曙 江北 "
    "镇海 北仑 鄞江 姜山 邱隘 五乡 高桥 庄桥 洪塘 慈城 甬江 月湖 鼓楼 白云 石碶 栎社 钱湖 梅墟 云龙 横溪 "
    "章水 柯桥 齐贤 钱清 安昌 福全 兰亭 皋埠 陶堰 东浦 稽山 府山 城南 迪荡 镜湖 袍江 马山 斗门 孙端 富盛 "
    "平水 王坛 红星 向阳 东升 永丰 长乐 太平 安澜 嘉禾 瑞丰 凤凰 银湖 金沙 玉泉 青山 清河 万安 新桥 华丰"
)
_SURNAMES = _words("周 李 沈 王 陈 徐 蒋 杨 朱 俞 胡 孙 吴 郑 赵 钱 何 吕 施 张 金 方 应 邵")
_HIGHWAYS = _words("杭甬 绕城 沪杭甬 杭金衢 甬台温 杭新景 杭长 申嘉湖 常台 杭绍甬 绍诸 甬金")

# A misspelling of a place name: a homophone or a near-homophone the caller or the typist picked.
_PLACE_TYPOS: Mapping[str, str] = {
    "苑": "园",
    "园": "圆",
    "华": "花",
    "庭": "亭",
    "城": "成",
    "桥": "乔",
    "湖": "胡",
    "锦": "金",
    "翠": "萃",
    "景": "井",
    "明": "名",
    "阳": "杨",
    "江": "姜",
    "路": "陆",
    "兴": "星",
    "塘": "唐",
    "港": "岗",
    "祥": "详",
    "枫": "风",
    "峰": "锋",
    "厦": "夏",
    "场": "厂",
    "村": "存",
    "河": "和",
    "站": "战",
}

# Homophone typos in what the caller said (speech-to-text or a hurried operator).
_SUMMARY_TYPOS: tuple[tuple[str, str], ...] = (
    ("着火", "着伙"),
    ("起火", "起伙"),
    ("火灾", "火栽"),
    ("失火", "失伙"),
    ("冒烟", "冒炎"),
    ("相撞", "相装"),
    ("车祸", "车货"),
    ("事故", "事古"),
    ("追尾", "追伪"),
    ("侧翻", "侧番"),
    ("坍塌", "摊塌"),
    ("倒塌", "倒踏"),
    ("塌了", "踏了"),
    ("爆炸", "暴炸"),
    ("巨响", "巨想"),
    ("泄漏", "泄露"),
    ("煤气", "媒气"),
    ("燃气", "然气"),
    ("溺水", "逆水"),
    ("落水", "洛水"),
    ("踩踏", "踩塌"),
    ("受伤", "受上"),
    ("救护车", "救户车"),
    ("晕倒", "云倒"),
    ("停电", "停店"),
    ("打架", "打驾"),
    ("砍人", "坎人"),
    ("滑坡", "滑波"),
    ("被困", "被捆"),
    ("淹了", "烟了"),
    ("报警", "报景"),
    ("快来", "快莱"),
    ("救命", "就命"),
    ("电线", "点线"),
    ("化学", "话学"),
)

# ---------------------------------------------------------------------------------------------
# Wording of each kind of event
# ---------------------------------------------------------------------------------------------
# Slots: {p} the place (name or short form), {lm} a landmark near the event, {n} a number of people
# ("两个"), {v} a number of vehicles ("两辆"), {bld} a building, {floor} a floor, {plate} a licence plate
# (as the caller gives it), {dir} a direction ("东").


@dataclass(frozen=True)
class _Wording:
    cores: tuple[str, ...]  # what happened: the body of a call
    details: tuple[str, ...]  # added details, 0-3 of them per call
    shorts: tuple[str, ...]  # very short calls
    english: tuple[str, ...]  # calls from foreigners
    closings: tuple[str, ...]  # what the caller asks for, specific to the kind
    places: tuple[str, ...]  # types of place such an event happens at (see _NameBook.place)


_WORDING: Mapping[str, _Wording] = {
    "fire": _Wording(
        cores=(
            "{p}着火了，火很大",
            "{p}那边起火了，好大的烟",
            "{lm}旁边有家店烧起来了",
            "我看到{p}那里在冒黑烟，好像是失火了",
            "这里发生火灾了，火苗都窜出来了，就在{p}",
            "@road_no,market,factory,old_street|{p}有个仓库着火了，烧得很厉害",
            "一家饭店着火了，就在{lm}边上",
            "我们这里起大火了，烟都飘到马路上了",
            "@road_no,market,mall,restaurant,old_street|{p}一个门面失火了，火从卷帘门里往外冒",
            "@road_no,market,mall,restaurant,old_street,office|着火了，{p}，好像是一楼的店铺烧起来了",
            "@factory|{p}车间着火了，工人都跑出来了",
            "@factory|{p}的厂房烧起来了，火很大",
            "@office|{p}{floor}起火了，窗户里在往外冒烟",
            "@restaurant|{p}后厨着火了，油锅烧起来了",
        ),
        details=(
            "烟很大",
            "火越烧越大",
            "里面好像还有人没出来",
            "有{n}人被困在里面",
            "全是黑烟，什么都看不清",
            "焦味很大",
            "@road_no,market,old_street|好像是电瓶车充电起的火",
            "旁边就是加油站，很危险",
            "有人拿灭火器在灭，灭不掉",
            "火已经烧到二楼了",
            "一直听到噼里啪啦的响声",
        ),
        shorts=(
            "着火了！快来",
            "着火了着火了",
            "起火了，快派消防车",
            "失火了！",
            "这边烧起来了，快点",
            "火好大，快来人",
        ),
        english=(
            "There is a fire near {lm}, lots of smoke",
            "@road_no,market,mall,restaurant,old_street|Fire! A shop is burning here, please send firefighters",
            "@road_no,market,mall,restaurant,old_street|Hello, I want to report a fire, the whole shop is on fire",
            "@factory|A factory is on fire, black smoke everywhere",
            "@office|Fire in the office building, people are running out",
        ),
        closings=("快派消防车过来", "叫消防队快来", "你们消防快点到"),
        places=("road_no", "market", "mall", "restaurant", "factory", "old_street", "office"),
    ),
    "building_fire": _Wording(
        cores=(
            "@high_rise|{p}{bld}{floor}着火了",
            "@high_rise|我们小区有一户人家起火了，在{bld}{floor}",
            "{p}有栋高楼着火了，窗户里往外冒火",
            "对面楼{floor}烧起来了，火很大",
            "@high_rise|{bld}有人家里失火了，烟一直往楼道里灌",
            "@high_rise|我住{p}，楼上着火了，楼道里全是烟",
            "@high_rise|{p}有栋住宅楼在冒烟，好像是{floor}厨房着火了",
            "@high_rise|我家楼下起火了，我们下不去了，在{bld}",
            "{p}里一栋楼着火了，好多人在往下跑",
            "@office|{p}{floor}着火了，楼里的人都在往下跑",
            "@office|我在{p}上班，楼上起火了，楼梯间全是烟",
            "@office|{p}有一层办公室烧起来了，外墙都黑了",
            "@office|{p}着火了，好多人困在楼上",
        ),
        details=(
            "楼道里全是烟",
            "@high_rise|楼上有老人下不来",
            "@high_rise|有人在阳台上喊救命",
            "火从窗户里冒出来了",
            "我们在{floor}，下不去",
            "整栋楼的人都在往外撤",
            "听到玻璃炸裂的声音",
            "消防通道被车堵住了",
            "@high_rise|是{bld}{floor}那户",
            "@office|电梯已经停了",
        ),
        shorts=(
            "楼上着火了！快来",
            "@high_rise|我们楼着火了",
            "@high_rise|快来，{bld}着火了",
            "@high_rise|家里起火了，救命",
            "楼里全是烟，快来",
            "@office|大楼着火了，快来",
        ),
        english=(
            "@high_rise|An apartment building is on fire, people are still inside",
            "Fire in the building at {p}, smoke everywhere",
            "@office|The office tower is on fire, we cannot go down the stairs",
        ),
        closings=("快派消防车来", "快来救人，上面还有人", "云梯车要来"),
        places=("high_rise", "high_rise", "office"),
    ),
    "traffic": _Wording(
        cores=(
            "{p}{v}车撞在一起了",
            "{p}发生交通事故了，有人受伤",
            "这里出车祸了，一辆轿车翻了，在{p}",
            "@intersection,road_no,bridge|{p}有辆电瓶车被小车撞了，人躺在地上",
            "{v}车追尾了，就在{p}，堵得死死的",
            "我刚开车经过{p}，看到一辆货车侧翻了",
            "@intersection,road_no|{lm}门口有人被车撞了，流了好多血",
            "一辆大货车和面包车相撞了，车头都撞烂了",
            "@intersection,road_no,bridge,highway|出车祸了，一辆车冲到绿化带里去了",
            "{p}连环追尾，{v}车撞成一团",
            "@tunnel|{p}里面撞车了，后面的车都堵在隧道里",
            "@bridge|{p}上两辆车相撞，有辆车差点冲下桥",
            "@highway|{p}一辆大货车把小车撞了，车都变形了",
        ),
        details=(
            "有{n}人受伤",
            "司机卡在车里出不来",
            "车牌{plate}",
            "撞人的车跑了",
            "地上全是玻璃渣",
            "车子在冒烟",
            "有人躺在地上不动了",
            "后面堵了好长",
            "@intersection,road_no,bridge|电瓶车倒在路中间",
            "车上还有小孩",
            "油漏了一地",
        ),
        shorts=(
            "出车祸了！快来",
            "撞车了，快叫救护车",
            "车祸！有人受伤",
            "这里车翻了",
            "@intersection,road_no,bridge|有人被撞了快来",
            "追尾了，有人流血",
        ),
        english=(
            "Car crash at {p}, someone is injured",
            "There has been an accident, two cars hit each other near {lm}",
            "A truck turned over on the road, please help",
        ),
        closings=("快叫救护车", "叫交警过来处理一下", "快来人，再晚就来不及了"),
        places=("intersection", "intersection", "intersection", "bridge", "tunnel", "highway", "road_no"),
    ),
    "collapse": _Wording(
        cores=(
            "@old_street,high_rise,construction|{p}有房子塌了",
            "@old_street,high_rise|{p}一栋老楼倒塌了，下面可能压着人",
            "@construction|{p}的脚手架倒了，砸到人了",
            "这边墙塌了，有人被埋在下面",
            "{p}地面突然塌陷了，出现一个大坑",
            "@old_street,high_rise,construction|我们这边有栋楼垮了，一声响就塌下来了",
            "@construction|{lm}旁边在建的楼坍塌了",
            "@factory|一个厂房的屋顶塌下来了，里面有工人，在{p}",
            "{p}的围墙倒了，压到了路边的人",
            "@construction|{p}基坑塌方了，有工人被埋",
            "@factory|{p}的车间塌了，好多工人在里面",
            "@high_rise|{p}有栋楼的阳台整个掉下来了",
        ),
        details=(
            "下面压着{n}人",
            "灰尘很大，什么都看不见",
            "有人在下面喊救命",
            "还在往下掉东西",
            "旁边的楼也裂开了",
            "@construction,factory|工人跑出来了一些，还有几个没出来",
            "路都被堵住了",
            "有辆车也被砸了",
        ),
        shorts=("房子塌了！快来", "楼塌了，有人压在下面", "塌了塌了，快来救人", "墙倒了砸到人了"),
        english=("A building collapsed, people are trapped inside", "The wall fell down and there are people under it"),
        closings=("快派救援队来", "带挖的工具过来", "快来救人"),
        places=("construction", "construction", "old_street", "high_rise", "factory"),
    ),
    "explosion": _Wording(
        cores=(
            "{p}刚才发生爆炸了",
            "我听到一声巨响，{p}那边好像炸了",
            "@restaurant,market,high_rise|{p}一家饭店煤气罐爆炸了",
            "{lm}那边爆炸了，窗户玻璃都震碎了",
            "@factory,chem_plant|厂里炸了，冒出一大团火球，在{p}",
            "刚才轰的一声，好像是哪里爆燃了，现在在冒烟",
            "@restaurant,market,high_rise|有个店铺爆炸了，门都被炸飞了，就在{p}",
            "{p}发生了爆炸，地都在抖",
            "@high_rise|{p}有户人家燃气爆炸了，窗户都炸飞了",
            "@factory,chem_plant|{p}车间里锅炉炸了，有工人受伤",
        ),
        details=(
            "附近窗户全碎了",
            "有{n}人受伤",
            "还在冒烟",
            "后来又响了一声",
            "好多人在往外跑",
            "@factory,chem_plant|闻到很浓的化学味",
            "我家玻璃都震碎了",
            "路上都是碎片",
            "起火了，火很大",
        ),
        shorts=("爆炸了！快来", "炸了炸了", "好大一声巨响，快来看看", "这边爆炸了，有人受伤"),
        english=("There was an explosion near {lm}, windows are broken", "Big explosion here, people are hurt"),
        closings=("快派消防和救护车", "快来，怕还要炸", "赶紧来人"),
        places=("restaurant", "factory", "chem_plant", "high_rise", "market"),
    ),
    "flood": _Wording(
        cores=(
            "{p}积水很深，车子都淹了",
            "{p}被淹了，水都到膝盖了",
            "@underpass,tunnel|{p}里进水了，有辆车被困在里面",
            "@high_rise|我们小区地下车库进水了，水还在涨，在{p}",
            "@high_rise,intersection|{p}那边水漫上来了，有老人出不来",
            "雨太大了，{p}变成河了",
            "@underpass,tunnel,intersection|有辆公交车在{p}熄火了，水快淹到窗户了",
            "{lm}前面的路全淹了，有人被冲倒了",
            "@underpass,tunnel|{p}全是水，一辆小车开进去就漂起来了",
        ),
        details=(
            "水还在往上涨",
            "有人站在车顶上",
            "水已经齐腰了",
            "好几辆车熄火了",
            "有{n}人被困",
            "下水道在往外冒水",
            "电线泡在水里了，很危险",
        ),
        shorts=("淹水了！快来", "车被淹了，救命", "水好深，有人困住了", "快来，这里发大水了"),
        english=("The road is flooded, a car is stuck in the water", "Flood here near {lm}, people are trapped"),
        closings=("快派冲锋舟来", "快来救人", "快点派人来排水"),
        places=("underpass", "underpass", "high_rise", "tunnel", "intersection"),
    ),
    "landslide": _Wording(
        cores=(
            "{p}山体滑坡了",
            "{p}后山塌下来了，泥石把路堵了",
            "@village|下大雨山上的土冲下来了，埋了几间房子，在{p}",
            "{p}发生泥石流了，有车被埋",
            "山上滑坡了，石头滚到路上，{p}这里",
            "{lm}后面那座山塌方了",
            "@village|我们村后面的山垮了一大块，在{p}",
            "@mountain_road|{p}塌方了，有辆车被埋在下面",
        ),
        details=(
            "@village|有房子被埋了",
            "路全堵死了",
            "还有{n}人联系不上",
            "山还在往下滑",
            "有辆车被石头砸了",
            "@village|村里的人都跑出来了",
            "电也断了",
        ),
        shorts=("滑坡了！快来人", "山塌了，快来救人", "塌方了，路断了"),
        english=(
            "@village|Landslide here, the road is blocked and a house is buried",
            "Mud came down the hill, people may be trapped",
        ),
        closings=("快派挖掘机来", "快来救人", "赶紧来人看看"),
        places=("village", "village", "mountain_road"),
    ),
    "gas_leak": _Wording(
        cores=(
            "{p}有很大的煤气味，好像漏气了",
            "@high_rise,old_street|我们楼道里全是燃气味，在{p}",
            "@restaurant,road_no,old_street|{p}一家饭店燃气泄漏了",
            "@restaurant,road_no,old_street|路边燃气管道被挖断了，呲呲地往外冒气，在{p}",
            "我闻到好浓的天然气味，不知道哪家漏了",
            "{lm}那边施工把燃气管挖破了",
            "@high_rise,old_street|{p}有户人家煤气泄漏，敲门没人应",
            "@high_rise|{p}{bld}燃气泄漏了，整栋楼都是味道",
        ),
        details=(
            "@high_rise,old_street|整个楼道都是味道",
            "我们不敢开灯",
            "已经有人头晕了",
            "我们都跑到楼下了",
            "气还在一直往外冒",
            "旁边还有人在抽烟，很危险",
            "味道越来越大",
        ),
        shorts=("漏气了，快来", "好大的煤气味！", "燃气泄漏了，快来处理"),
        english=(
            "Strong gas smell here, I think there is a gas leak",
            "@high_rise|Gas leak in the building, everyone is going outside",
        ),
        closings=("快叫燃气公司来", "快来处理，怕要炸", "快派人来"),
        places=("high_rise", "restaurant", "road_no", "old_street"),
    ),
    "drowning": _Wording(
        cores=(
            "{p}有人落水了",
            "有个小孩掉水里了，在{p}",
            "有人在{p}游泳，沉下去了",
            "@river|{lm}旁边的河里有人在挣扎，快不行了",
            "@river|{p}有人跳河了",
            "我看到{p}水里漂着一个人",
            "{p}有人溺水了，已经拉上来了，没有呼吸",
            "有个人掉下去了，在{p}，我们都不会游泳",
        ),
        details=(
            "已经看不到人了",
            "是个小孩",
            "有人跳下去救了",
            "@river|水很急",
            "@river|人已经被冲走一段了",
            "岸上的人都在喊",
            "大概十几岁",
            "穿着红衣服",
        ),
        shorts=("有人落水！快来", "有人掉河里了", "救命，有人溺水了", "有人掉水里了快来"),
        english=("Someone fell into the water, please hurry", "A child is drowning, near {lm}"),
        closings=("快派人来救", "快叫救护车", "快点啊，人要沉了"),
        places=("river", "river", "lake", "reservoir"),
    ),
    "stampede": _Wording(
        cores=(
            "{p}人太多了，有人摔倒被踩了",
            "{p}发生踩踏了",
            "{p}里人挤人，前面有人倒了，后面还在推",
            "{lm}这边人群乱了，好多人被挤倒",
            "刚才有人喊了一声，大家都在跑，踩到好几个人，在{p}",
            "{p}出口挤死了，有小孩被压在下面",
            "@stadium,mall,station,school|散场的时候楼梯上挤倒了一片，{p}",
        ),
        details=(
            "有{n}人倒在地上",
            "有人喘不过气了",
            "还有小孩",
            "现场一片混乱",
            "保安根本拦不住",
            "鞋子掉了一地",
            "人还在往里挤",
        ),
        shorts=("踩踏了！快来", "人挤倒了，快来人", "救命，这里踩到人了"),
        english=("Stampede here, people fell down and got stepped on", "Too many people, someone got crushed at {p}"),
        closings=("快派警察来疏散", "多叫几辆救护车", "快来人维持秩序"),
        places=("station", "square", "mall", "stadium", "school"),
    ),
    "violence": _Wording(
        cores=(
            "{p}有人打架，还拿着刀",
            "{p}有人砍人了",
            "{lm}门口一群人打起来了",
            "有个男的拿刀在街上乱挥，在{p}",
            "{p}有人持刀伤人，有人倒在地上",
            "这边有人打架斗殴，打得头破血流",
            "几个人在{p}围着一个人打",
            "一个喝醉的在{p}砸东西打人",
        ),
        details=(
            "有{n}人受伤",
            "那个人还在附近",
            "穿黑衣服的",
            "人往{dir}边跑了",
            "地上有血",
            "手里拿着铁棍",
            "周围的人都吓跑了",
        ),
        shorts=("有人砍人！快来", "打架了，快来", "有人拿刀，快来"),
        english=("A man with a knife is attacking people", "There is a fight near {lm}, someone is bleeding"),
        closings=("快派警察来", "快点，他还在砍", "警察快来"),
        places=("road_no", "market", "bar_street", "square", "mall"),
    ),
    "medical": _Wording(
        cores=(
            "{p}有人晕倒了",
            "有个老人在{p}倒地不起",
            "{lm}门口有人突然倒下，没反应了",
            "有人晕过去了，叫不醒，在{p}",
            "{p}好几个人中暑了，倒在地上",
            "@school,mall,stadium|{p}有好多人吃了东西上吐下泻",
            "有人抽搐，口吐白沫，就在{p}",
            "{p}一个人突然倒地，好像是心脏病",
        ),
        details=(
            "没有意识了",
            "脸色发白",
            "有人在做心肺复苏",
            "好像是低血糖",
            "年纪挺大的",
            "嘴唇发紫",
            "已经有{n}人不舒服了",
        ),
        shorts=("有人晕倒了，快叫救护车", "快来，有人倒地了", "有人不行了，快来"),
        english=("A man collapsed here, he is not breathing", "Someone fainted near {lm}, please send an ambulance"),
        closings=("快叫救护车", "快派120来", "医生快来"),
        places=("square", "stadium", "mall", "station", "park", "school"),
    ),
    "power_outage": _Wording(
        cores=(
            "{p}整片都停电了",
            "@high_rise|我们小区突然停电了，电梯里还有人，在{p}",
            "{p}变压器炸了，冒火花，然后就停电了",
            "这边电线杆倒了，电线掉在路上，在{p}",
            "{lm}附近全黑了，红绿灯也不亮",
            "突然断电了，整条街都黑了，{p}这一片",
            "{p}的电缆烧了，现在全停电了",
            "@office|{p}整栋楼停电了，好几部电梯困了人",
        ),
        details=(
            "@road_no,intersection,office|红绿灯都不亮了",
            "@high_rise,office|电梯里困着人",
            "电线在冒火花",
            "@high_rise|家里有病人要用呼吸机",
            "已经停了一个小时了",
            "电线拖在地上，很危险",
        ),
        shorts=("停电了，快来修", "全停电了！", "电线掉下来了快来"),
        english=(
            "Power is out in the whole area, the traffic lights are off",
            "A power line fell on the road near {lm}",
        ),
        closings=("快叫电力公司来", "快派人来修", "快来处理"),
        places=("high_rise", "road_no", "intersection", "office"),
    ),
    "chemical_leak": _Wording(
        cores=(
            "@chem_plant,industrial_park|{p}泄漏了，味道很刺鼻",
            "@highway,industrial_park|有辆槽罐车侧翻了，在漏东西，就在{p}",
            "{p}那边飘过来一股黄烟，呛得眼睛睁不开",
            "@chem_plant,industrial_park|{p}厂里的罐子漏了，工人都在往外跑",
            "{lm}附近有很大的化学品味道，好多人咳嗽",
            "@highway,industrial_park|一辆运危化品的车在{p}漏液了",
            "{p}有毒气泄漏了",
            "@highway|{p}一辆槽罐车撞了护栏，罐子裂了在往外喷",
            "@chem_plant|{p}反应釜出问题了，冒了好多白烟",
        ),
        details=(
            "眼睛很疼",
            "有{n}人呼吸困难",
            "味道像氨水",
            "黄色的烟往居民区飘",
            "地上流了好多液体",
            "不知道是什么东西",
            "风往我们这边吹",
        ),
        shorts=("毒气泄漏了！快来", "化学品泄漏，快来人", "好刺鼻的味道，快来"),
        english=(
            "@chem_plant,industrial_park|Chemical leak at the factory, very strong smell",
            "@highway,industrial_park|A tanker truck is leaking, people are coughing",
            "Some yellow smoke is coming this way, it burns my eyes",
        ),
        closings=("快派消防来处理", "要不要疏散啊，快来", "快派人来"),
        places=("chem_plant", "chem_plant", "industrial_park", "highway"),
    ),
}


def _fits(template: str, kind_of_place: str) -> bool:
    """Whether a template ("@type,type|text", or plain text for any place) suits the type of place."""
    if not template.startswith("@"):
        return True
    return kind_of_place in template[1 : template.index("|")].split(",")


def _text(template: str) -> str:
    return template[template.index("|") + 1 :] if template.startswith("@") else template


def _suited(kind: str, kind_of_place: str) -> _Wording:
    """The wording of ``kind`` that suits an event at a place of type ``kind_of_place``."""
    key = (kind, kind_of_place)
    if key not in _SUITED:
        w = _WORDING[kind]

        def pick(templates: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(_text(t) for t in templates if _fits(t, kind_of_place))

        _SUITED[key] = _Wording(
            pick(w.cores), pick(w.details), pick(w.shorts), pick(w.english), w.closings, (kind_of_place,)
        )
    return _SUITED[key]


_SUITED: dict[tuple[str, str], _Wording] = {}

KINDS: tuple[str, ...] = tuple(_WORDING)

_OPENERS = (
    "喂",
    "喂，你好",
    "你好，我要报警",
    "喂，110吗",
    "喂喂喂",
    "快来人啊",
    "我要报警",
    "你好，119吗",
    "是120吗",
    "喂？听得到吗",
    "你好，我报个警",
    "哎呀，不好了",
    "我跟你说",
    "那个，你好",
    "天哪",
    "喂，警察同志",
)
_CLOSINGS = (
    "你们快点派人过来",
    "快点来啊",
    "麻烦快一点",
    "求求你们快来",
    "我在路边等你们",
    "我电话一直开着",
    "你们赶紧来看看吧",
    "吓死人了",
    "快点啊！",
)
_RAMBLINGS = (
    "我刚才在楼下买菜，突然就听到外面有人喊",
    "我是路过的，也不太清楚具体情况",
    "我刚下班回家，走到这里就看到了",
    "我已经打了好几遍电话了，一直占线",
    "我老婆让我赶紧打电话",
    "我在这住了十几年，从来没见过这种事",
    "刚才还好好的，一下子就这样了",
    "我在对面楼上看到的",
    "我不是很确定，你们最好派人来看看",
    "旁边好多人都在拍视频，没人管",
    "我手在抖，说话有点乱，你听我说",
    "我开车带着孩子，刚好路过",
)
_GENERIC = (
    "这边出大事了，快派人来",
    "好多人在跑，不知道怎么回事",
    "出事了出事了，你们快来",
    "我也不知道发生了什么，就听到好多人在喊",
    "快来人啊，这里乱成一团了",
    "这里出事了，好像很严重",
    "你们快来看看吧，好多人围着",
    "外面好吓人，快派人来",
    "好像有人受伤了，快来",
    "警察快来，这边出事了",
    "喂喂，这边有情况，快来",
    "到处都是人在喊，快来",
)
_SHORT_LEADS = ("喂！", "喂，", "快快快，", "救命啊，", "哎呀，")
_VAGUE_PLACES = ("我也说不清在哪", "不知道叫什么路", "就在这儿附近", "我不是本地人，不知道这是哪", "就这里")
_PEOPLE = ("一个", "两个", "三个", "两三个", "三四个", "四五个", "好几个", "五六个", "七八个", "十几个")
_VEHICLES = ("两辆", "三辆", "两三辆", "好几辆", "四五辆")
_FLOORS = ("3楼", "五楼", "6楼", "7层", "九楼", "十一楼", "15楼", "十八楼", "二十几楼", "顶楼")
_PLATE_LETTERS: Mapping[str, str] = {"hz": "A", "nb": "B", "sx": "D"}
_PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

_GENERIC_SHARE = 0.05
_ENGLISH_SHARE = 0.03
_SHORT_SHARE = 0.12
_TYPO_SHARE = 0.10
_LONG_SHARE = 0.12

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str
    short: tuple[str, ...]  # other ways callers name it ("阳光小区", "阳光花园门口")

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the short forms that are names (not phrases such as "X那边", "X上")."""
        phrase = ("边", "段", "上", "里", "面", "块", "门口", "那条路", "那条街")
        return (self.name, *(s for s in self.short if not s.endswith(phrase)))


@dataclass(frozen=True)
class _Landmark:
    name: str
    bearing_to_event: float  # from the landmark towards the event
    distance_m: float


def _stem(road: str) -> str:
    for suffix in ("大道", "路"):
        if road.endswith(suffix) and len(road) > len(suffix) + 1:
            return road[: -len(suffix)]
    return road


class _NameBook:
    """Makes the names of one surge: unique names, and while the pools last each road, name stem,
    surname or highway belongs to one event only."""

    _SUFFIXES = ("二期", "三期", "东区", "西区", "南区", "北区")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._owner: dict[str, int] = {}

    def _token(self, pool: Sequence[str], owner: int, exclude: str = "") -> str:
        free = [t for t in pool if t not in self._owner and t != exclude]
        mine = [t for t in pool if self._owner.get(t) == owner and t != exclude]
        token = self._rng.choice(free or mine or [t for t in pool if t != exclude])
        self._owner.setdefault(token, owner)
        return token

    def _unique(self, make: Callable[[], _Place]) -> _Place:
        for _ in range(50):
            place = make()
            if place.name not in self._used:
                self._used.add(place.name)
                return place
        for k in range(2, 10_000):
            suffix = self._SUFFIXES[k - 2] if k - 2 < len(self._SUFFIXES) else f"{k}号"
            if place.name + suffix not in self._used:
                place = _Place(place.name + suffix, place.short)
                self._used.add(place.name)
                return place
        raise RuntimeError("out of place names")  # pragma: no cover

    def place(self, kind_of_place: str, owner: int) -> _Place:
        return self._unique(lambda: self._make(kind_of_place, owner))

    def landmark(self, owner: int) -> str:
        return self._unique(lambda: self._make_landmark(owner)).name

    def _make_landmark(self, owner: int) -> _Place:
        rng = self._rng
        if rng.random() < 0.15:
            return _Place(f"{self._token(_ROADS, owner)}公交站", ())
        pattern = rng.choice(
            (
                "{}中学",
                "{}小学",
                "{}幼儿园",
                "{}购物中心",
                "{}医院",
                "{}加油站",
                "{}大酒店",
                "{}大厦",
                "{}菜场",
                "{}地铁站",
                "{}公园",
                "{}派出所",
                "{}农商银行",
                "{}电影院",
                "{}体育馆",
                "{}便利店",
            )
        )
        return _Place(pattern.format(self._token(_PREFIXES, owner)), ())

    def _make(self, kind_of_place: str, owner: int) -> _Place:  # one branch per type of place
        rng = self._rng

        def prefix() -> str:
            return self._token(_PREFIXES, owner)

        def road() -> str:
            return self._token(_ROADS, owner)

        if kind_of_place == "intersection":
            r1 = road()
            r2 = self._token(_ROADS, owner, exclude=r1)
            return _Place(
                f"{r1}与{r2}交叉口", (f"{_stem(r1)}{r2}口", f"{r2}{r1}口", f"{r1}{r2}路口", f"{r1}和{r2}那个十字路口")
            )
        if kind_of_place == "road_no":
            r = road()
            return _Place(f"{r}{rng.randint(1, 899)}号", (r, f"{r}上"))
        if kind_of_place == "high_rise":
            p = prefix()
            suffix = rng.choice(("花园", "家园", "华庭", "新村", "公寓", "雅苑", "名邸", "嘉园", "花苑", "小区"))
            if suffix == "小区":
                return _Place(f"{p}小区", (p,))
            if suffix in ("花园", "家园", "新村") and rng.random() < 0.5:
                return _Place(f"{p}{suffix}小区", (f"{p}{suffix}", f"{p}小区"))
            return _Place(f"{p}{suffix}", (f"{p}小区",))
        if kind_of_place == "mall":
            p = prefix()
            return rng.choice(
                (
                    _Place(f"{p}购物中心", (f"{p}商场",)),
                    _Place(f"{p}商业广场", (f"{p}广场",)),
                    _Place(f"{p}百货", (f"{p}百货大楼",)),
                )
            )
        if kind_of_place == "market":
            p = prefix()
            return _Place(f"{p}农贸市场", (f"{p}菜场", f"{p}菜市场"))
        if kind_of_place == "restaurant":
            p, choice = prefix(), rng.randrange(3)
            if choice == 0:
                return _Place(f"{p}美食街", (f"{p}小吃街",))
            if choice == 1:
                return _Place(f"{p}大酒店", (f"{p}酒店",))
            return _Place(f"{road()}{p}饭店", (f"{p}饭店",))
        if kind_of_place == "factory":
            p = prefix()
            industry = rng.choice(("纺织", "化纤", "印染", "塑料", "机械", "电子", "五金", "食品", "包装"))
            if rng.random() < 0.5:
                return _Place(f"{p}{industry}厂", (f"{p}厂",))
            return _Place(f"{p}{industry}有限公司", (f"{p}{industry}厂", f"{p}公司"))
        if kind_of_place == "chem_plant":
            p = prefix()
            if rng.random() < 0.5:
                return _Place(f"{p}化工厂", (f"{p}化工",))
            return _Place(f"{p}化工有限公司", (f"{p}化工厂", f"{p}化工"))
        if kind_of_place == "industrial_park":
            p = prefix()
            if rng.random() < 0.5:
                return _Place(f"{p}工业园区", (f"{p}工业园",))
            return _Place(f"{p}物流园", (f"{p}物流",))
        if kind_of_place == "construction":
            p = prefix()
            project = rng.choice(("安置房项目", "地铁站", "商业综合体", "学校新校区", "还建小区"))
            return _Place(f"{p}{project}工地", (f"{p}工地",))
        if kind_of_place == "old_street":
            if rng.random() < 0.5:
                p = prefix()
                return _Place(f"{p}老街", (f"{p}老街那边",))
            r = road()
            return _Place(f"{r}{rng.randint(2, 199)}弄", (r, f"{r}老房子那块"))
        if kind_of_place == "tunnel":
            p = prefix()
            return _Place(f"{p}隧道", (f"{p}隧道口", f"{p}隧道里面"))
        if kind_of_place == "bridge":
            if rng.random() < 0.5:
                p = prefix()
                return _Place(f"{p}大桥", (f"{p}桥", f"{p}大桥上"))
            r = road()
            return rng.choice((_Place(f"{r}高架", (f"{r}高架上",)), _Place(f"{r}立交桥", (f"{_stem(r)}立交",))))
        if kind_of_place == "highway":
            hw, p = self._token(_HIGHWAYS, owner), prefix()
            if rng.random() < 0.5:
                return _Place(f"{hw}高速{p}收费站", (f"{p}收费站", f"{hw}高速{p}口"))
            return _Place(f"{hw}高速{p}出口", (f"{p}出口", f"{hw}高速{p}那段"))
        if kind_of_place == "underpass":
            if rng.random() < 0.6:
                r = road()
                return _Place(f"{r}下穿通道", (f"{r}地道", f"{_stem(r)}下穿"))
            p = prefix()
            return _Place(f"{p}铁路桥洞", (f"{p}桥洞",))
        if kind_of_place == "river":
            p = prefix()
            return rng.choice((_Place(f"{p}河", (f"{p}河边",)), _Place(f"{p}港", (f"{p}港边上",))))
        if kind_of_place == "lake":
            p = prefix()
            return rng.choice((_Place(f"{p}湖", (f"{p}湖边",)), _Place(f"{p}公园人工湖", (f"{p}公园湖边",))))
        if kind_of_place == "reservoir":
            p = prefix()
            return _Place(f"{p}水库", (f"{p}水库边上", f"{p}水库大坝"))
        if kind_of_place == "village":
            s = self._token(_SURNAMES, owner)
            place = rng.choice(("家村", "家坞", "家岙", "家山"))
            return _Place(f"{s}{place}", (f"{s}{place[1]}", f"{s}家那边"))
        if kind_of_place == "mountain_road":
            p = prefix()
            return rng.choice((_Place(f"{p}岭", (f"{p}岭上",)), _Place(f"{p}山盘山公路", (f"{p}山", f"{p}山那条路"))))
        if kind_of_place == "station":
            p = prefix()
            return rng.choice(
                (
                    _Place(f"{p}地铁站", (f"{p}站",)),
                    _Place(f"{p}汽车站", (f"{p}车站",)),
                    _Place(f"{p}客运中心", (f"{p}车站",)),
                )
            )
        if kind_of_place == "square":
            p = prefix()
            return _Place(f"{p}文化广场", (f"{p}广场",))
        if kind_of_place == "school":
            p = prefix()
            return rng.choice((_Place(f"{p}中学", (f"{p}中学门口",)), _Place(f"{p}小学", (f"{p}小学门口",))))
        if kind_of_place == "stadium":
            p = prefix()
            return _Place(f"{p}体育中心", (f"{p}体育馆", f"{p}体育场"))
        if kind_of_place == "bar_street":
            p = prefix()
            return rng.choice((_Place(f"{p}酒吧街", (f"{p}酒吧那条街",)), _Place(f"{p}夜市", (f"{p}小吃街",))))
        if kind_of_place == "office":
            p = prefix()
            return rng.choice((_Place(f"{p}大厦", (f"{p}大楼",)), _Place(f"{p}国际中心", (f"{p}国际",))))
        if kind_of_place == "park":
            p = prefix()
            return _Place(f"{p}公园", (f"{p}公园里",))
        raise ValueError(f"unknown type of place {kind_of_place!r}")


# ---------------------------------------------------------------------------------------------
# Events and their calls
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    event: SurgeEvent
    place: _Place
    wording: _Wording  # of the event's kind, suited to its place
    landmarks: tuple[_Landmark, ...]
    facts: Mapping[str, str]  # what callers agree on: building, floor, plate, direction of flight
    start_s: float
    calls: int


def _plate(rng: random.Random, site_id: str) -> str:
    letter = _PLATE_LETTERS.get(site_id.split("-")[0], "A")
    return f"浙{letter}" + "".join(rng.choice(_PLATE_CHARS) for _ in range(5))


def _plan(
    rng: random.Random,
    book: _NameBook,
    event: int,
    site: Site,
    kind: str,
    point: tuple[float, float],
    start_s: float,
    calls: int,
) -> _Plan:
    kind_of_place = rng.choice(_WORDING[kind].places)
    place = book.place(kind_of_place, event)
    landmarks = tuple(
        _Landmark(book.landmark(event), rng.uniform(0.0, 360.0), rng.uniform(80.0, 450.0))
        for _ in range(rng.randint(2, 3))
    )
    facts = {
        "bld": rng.choice(("1幢", "2幢", "3幢", "5幢", "6号楼", "8号楼", "9幢", "11幢", "12号楼", "15幢")),
        "floor": rng.choice(_FLOORS),
        "plate": _plate(rng, site.id),
        "dir": rng.choice(_COMPASS),
        "n": rng.choice(_PEOPLE),
    }
    return _Plan(
        SurgeEvent(event, site.id, kind, point[0], point[1], place.name),
        place,
        _suited(kind, kind_of_place),
        landmarks,
        facts,
        start_s,
        calls,
    )


def _misspell(rng: random.Random, name: str) -> str:
    spots = [i for i, ch in enumerate(name) if ch in _PLACE_TYPOS]
    if spots:
        i = rng.choice(spots)
        return name[:i] + _PLACE_TYPOS[name[i]] + name[i + 1 :]
    if len(name) > 3:
        i = rng.randrange(1, len(name))
        return name[:i] + name[i + 1 :]
    return name + name[-1]


def _typo(rng: random.Random, text: str) -> str:
    present = [(right, wrong) for right, wrong in _SUMMARY_TYPOS if right in text]
    if present:
        right, wrong = rng.choice(present)
        return text.replace(right, wrong, 1)
    spots = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not spots:
        return text
    i = rng.choice(spots)
    if rng.random() < 0.5 and len(spots) > 2:
        return text[:i] + text[i + 1 :]  # a dropped character
    return text[:i] + text[i] + text[i:]  # a doubled one


def _landmark_text(rng: random.Random, landmark: _Landmark) -> str:
    direction = _compass(landmark.bearing_to_event)
    metres = max(50, round(landmark.distance_m * rng.uniform(0.7, 1.3) / 50.0) * 50)
    name = landmark.name
    return rng.choice(
        (
            f"{name}附近",
            f"{name}对面",
            f"{name}旁边",
            f"{name}往{direction}{metres}米",
            f"{name}往{direction}走一点",
            f"{name}{direction}边",
            f"从{name}往{direction}走大概{metres}米",
            f"离{name}不远",
        )
    )


def _place_text(rng: random.Random, plan: _Plan, *, located: bool, english: bool) -> str:
    place, landmark = plan.place, rng.choice(plan.landmarks)
    if english:
        options = [place.name, f"near {landmark.name}", f"near {place.name}"]
        if located:
            options += ["I don't know the street name", ""]
        return rng.choice(options)
    r = rng.random()
    if not located:
        r *= 0.90  # a caller without coordinates always says something about the place
    if r < 0.30:
        return place.name
    if r < 0.42:
        return rng.choice(place.short) if place.short else place.name
    if r < 0.48:
        return _misspell(rng, rng.choice(place.names))
    if r < 0.60:
        where = rng.choice(("附近", "这边", "门口", "对面", "旁边", "那里"))
        return f"{rng.choice(place.names)}{where}"
    if r < 0.82:
        return _landmark_text(rng, landmark)
    if r < 0.90:
        return f"{rng.choice(place.names)}，{landmark.name}那边"
    return rng.choice((*_VAGUE_PLACES, "", ""))


def _slots(rng: random.Random, plan: _Plan) -> dict[str, str]:
    facts, place = plan.facts, plan.place

    def agreed(key: str, pool: Sequence[str], share: float = 0.8) -> str:
        return facts[key] if rng.random() < share else rng.choice(pool)

    plate = facts["plate"]
    return {
        "p": place.name if rng.random() < 0.7 else rng.choice(place.names),
        "lm": rng.choice(plan.landmarks).name,
        "n": agreed("n", _PEOPLE, 0.5),
        "v": rng.choice(_VEHICLES),
        "bld": agreed("bld", ("3幢", "5号楼", "7幢")),
        "floor": agreed("floor", _FLOORS),
        "plate": rng.choice(
            (f"是{plate}", f"好像是{plate[:5]}，后面没看清", f"尾号{plate[-3:]}", f"{plate[:2]}开头的")
        ),
        "dir": agreed("dir", _COMPASS),
    }


def _summary(rng: random.Random, plan: _Plan) -> tuple[str, bool]:
    """What the caller says happened, and whether they said it in English."""
    wording = plan.wording
    r = rng.random()
    english = False
    if r < _GENERIC_SHARE:
        text = rng.choice(_GENERIC)
        if rng.random() < 0.3:
            text = f"{rng.choice(_OPENERS)}，{text}"
    elif r < _GENERIC_SHARE + _ENGLISH_SHARE:
        english = True
        text = rng.choice(wording.english)
        if rng.random() < 0.3:
            text = rng.choice(("Hello, ", "Hi, ", "Help! ")) + text[0].lower() + text[1:]
    elif r < _GENERIC_SHARE + _ENGLISH_SHARE + _SHORT_SHARE:
        text = rng.choice(wording.shorts)
        if rng.random() < 0.25:
            text = rng.choice(_SHORT_LEADS) + text
    else:
        rambling = rng.random() < _LONG_SHARE
        count = rng.choices((0, 1, 2), weights=(35, 45, 20))[0] + (1 if rambling else 0)
        details = rng.sample(wording.details, count)
        body = [rng.choice(wording.cores)]
        if details and rng.random() < 0.2:
            body.insert(0, details.pop())  # "烟很大，楼上着火了"
        parts = [rng.choice(_OPENERS)] if rng.random() < 0.55 else []
        if rambling:
            parts.append(rng.choice(_RAMBLINGS))
        parts += body + details
        if rng.random() < 0.35:
            parts.append(rng.choice(wording.closings if rng.random() < 0.5 else _CLOSINGS))
        text = "，".join(parts) + rng.choice(("", "", "。", "！", "！！"))
    text = text.format_map(_slots(rng, plan)) if "{" in text else text
    if not english and rng.random() < _TYPO_SHARE / (1.0 - _ENGLISH_SHARE):
        text = _typo(rng, text)
    return text, english


def _arrival(rng: random.Random, start_s: float, duration_s: float) -> float:
    """When a call about an event that started at ``start_s`` rings: a burst in the first minutes
    (gamma-shaped: few in the first seconds, a peak, a long tail) and some late stragglers."""
    remaining = duration_s - start_s
    if remaining <= 0:
        return round(min(start_s, duration_s), 3)
    if rng.random() < 0.1:
        delay = rng.uniform(0.0, remaining)
    else:
        delay = remaining + 1.0
        for _ in range(10):
            delay = rng.gammavariate(1.3, 0.12 * remaining)
            if delay <= remaining:
                break
        else:
            delay = rng.uniform(0.0, remaining)
    return min(duration_s, round(start_s + delay, 3))


def _calls(
    rng: random.Random, plans: Sequence[_Plan], radius_m: float, duration_s: float, unlocated_share: float
) -> tuple[SurgeCall, ...]:
    total = sum(plan.calls for plan in plans)
    unlocated = set(rng.sample(range(total), round(unlocated_share * total))) if unlocated_share > 0 else set()
    calls: list[SurgeCall] = []
    for plan in plans:
        event = plan.event
        for _ in range(plan.calls):
            located = len(calls) not in unlocated
            summary, english = _summary(rng, plan)
            place_text = _place_text(rng, plan, located=located, english=english)
            if located:
                lat, lon = _point_within(rng, event.latitude, event.longitude, radius_m)
                latitude: float | None = lat
                longitude: float | None = lon
            else:
                latitude = longitude = None
            offset = _arrival(rng, plan.start_s, duration_s)
            calls.append(SurgeCall(event.index, event.site_id, latitude, longitude, place_text, summary, offset))
    calls.sort(key=lambda call: call.offset_s)  # stable: ties keep the order of generation
    return tuple(calls)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` unequal shares of at least 1 (a few events draw most calls)."""
    weights = [rng.lognormvariate(0.0, 0.9) for _ in range(parts)]
    rest, scale = total - parts, sum(weights)
    raw = [rest * w / scale for w in weights]
    counts = [1 + math.floor(x) for x in raw]
    order = sorted(range(parts), key=lambda i: (-(raw[i] - math.floor(raw[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _kind_sequence(rng: random.Random, kinds: Sequence[str], count: int) -> list[str]:
    """Kinds for ``count`` events: every kind once before any kind twice."""
    out: list[str] = []
    while len(out) < count:
        batch = list(kinds)
        rng.shuffle(batch)
        out += batch
    return out[:count]


def generate_surge(
    rng: random.Random,
    *,
    sites: Sequence[Site] = DEFAULT_SITES,
    events: int = 20,
    calls_per_event: tuple[int, int] = (50, 500),
    radius_m: float = 200.0,
    min_separation_m: float = 2000.0,
    site_spread_m: float = 15000.0,
    duration_s: float = 600.0,
    unlocated_share: float = 0.0,
    kinds: Sequence[str] | None = None,
    total_calls: int | None = None,
) -> Surge:
    """A surge of calls about ``events`` simultaneous events spread over ``sites``.

    Each event gets ``calls_per_event`` calls (an inclusive range, drawn per event) or, when
    ``total_calls`` is given, an unequal share of exactly ``total_calls``. Every located call lies
    within ``radius_m`` of its event; ``round(unlocated_share * total)`` calls have no coordinates.
    Events start at random in the first third of ``duration_s``; their calls come in a burst.
    """
    if not sites:
        raise ValueError("no sites")
    if len({site.id for site in sites}) != len(sites):
        raise ValueError("site ids must be unique")
    if events < 1:
        raise ValueError("events must be >= 1")
    low, high = calls_per_event
    if not 1 <= low <= high:
        raise ValueError("calls_per_event must be (low, high) with 1 <= low <= high")
    if total_calls is not None and total_calls < events:
        raise ValueError("total_calls must be >= events (each event has at least one call)")
    if radius_m <= 0 or min_separation_m < 0 or site_spread_m < 0 or duration_s < 0:
        raise ValueError("radius_m must be > 0; min_separation_m, site_spread_m and duration_s >= 0")
    if not 0.0 <= unlocated_share <= 1.0:
        raise ValueError("unlocated_share must be in [0, 1]")
    chosen = tuple(KINDS if kinds is None else kinds)
    unknown = [kind for kind in chosen if kind not in _WORDING]
    if not chosen or unknown:
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}, got unknown {unknown}")

    site_order = [sites[i % len(sites)] for i in range(events)]
    rng.shuffle(site_order)
    kind_order = _kind_sequence(rng, chosen, events)
    counts = (
        _split(rng, total_calls, events) if total_calls is not None else [rng.randint(low, high) for _ in range(events)]
    )

    book = _NameBook(rng)
    placed: dict[str, list[tuple[float, float]]] = {site.id: [] for site in sites}
    plans: list[_Plan] = []
    for index, (site, kind, count) in enumerate(zip(site_order, kind_order, counts, strict=True)):
        others = placed[site.id]
        for _ in range(10_000):
            point = _point_within(rng, site.latitude, site.longitude, site_spread_m)
            if all(_distance_m(*point, *other) >= min_separation_m for other in others):
                break
        else:
            raise ValueError(
                f"cannot place {events} events {min_separation_m} m apart within {site_spread_m} m of {site.id}"
            )
        others.append(point)
        start = round(rng.uniform(0.0, duration_s / 3.0), 3)
        plans.append(_plan(rng, book, index, site, kind, point, start, count))
    return Surge(tuple(plan.event for plan in plans), _calls(rng, plans, radius_m, duration_s, unlocated_share))


# Pairs of different kinds that plausibly happen close together and are easily confused.
_CONFUSABLE: tuple[tuple[str, str], ...] = (
    ("fire", "traffic"),
    ("fire", "explosion"),
    ("building_fire", "gas_leak"),
    ("traffic", "chemical_leak"),
    ("collapse", "explosion"),
    ("flood", "power_outage"),
    ("medical", "violence"),
    ("stampede", "violence"),
    ("fire", "power_outage"),
    ("flood", "drowning"),
    ("landslide", "traffic"),
    ("building_fire", "medical"),
)
_NEIGHBOUR_SPREAD_M = 15_000.0
_NEIGHBOUR_PAIR_SEPARATION_M = 3_000.0
_NEIGHBOUR_DURATION_S = 600.0


def generate_neighbours(
    rng: random.Random,
    *,
    site: Site = DEFAULT_SITES[0],
    pairs: int = 10,
    calls_per_event: tuple[int, int] = (20, 80),
    distance_m: tuple[float, float] = (300.0, 900.0),
    radius_m: float = 150.0,
) -> Surge:
    """The hard case: pairs of DIFFERENT-kind events (e.g. a fire and a traffic accident) only
    300-900 m apart at the same time at one site; each pair far (>= 3 km) from the others. Calls of
    both events interleave. Events 2k and 2k+1 form pair k."""
    if pairs < 1:
        raise ValueError("pairs must be >= 1")
    low, high = calls_per_event
    if not 1 <= low <= high:
        raise ValueError("calls_per_event must be (low, high) with 1 <= low <= high")
    near, far = distance_m
    if not 0 < near <= far or radius_m <= 0:
        raise ValueError("distance_m must be (near, far) with 0 < near <= far, radius_m > 0")

    book = _NameBook(rng)
    points: list[tuple[float, float]] = []
    plans: list[_Plan] = []
    for pair in range(pairs):
        if rng.random() < 0.6:
            kinds = list(rng.choice(_CONFUSABLE))
            rng.shuffle(kinds)
        else:
            kinds = rng.sample(KINDS, 2)
        for _ in range(10_000):
            a = _point_within(rng, site.latitude, site.longitude, _NEIGHBOUR_SPREAD_M)
            b = _round_point(_offset(*a, rng.uniform(near, far), rng.uniform(0.0, 360.0)))
            if not near <= _distance_m(*a, *b) <= far:
                continue  # rounding pushed it out of the range
            if all(_distance_m(*p, *q) >= _NEIGHBOUR_PAIR_SEPARATION_M for p in (a, b) for q in points):
                break
        else:
            raise ValueError(f"cannot place {pairs} pairs {_NEIGHBOUR_PAIR_SEPARATION_M} m apart")
        points += [a, b]
        start = rng.uniform(0.0, _NEIGHBOUR_DURATION_S / 3.0)
        for k, (kind, point) in enumerate(zip(kinds, (a, b), strict=True)):
            index = 2 * pair + k
            begins = round(max(0.0, start + rng.uniform(-20.0, 20.0)), 3)
            plans.append(_plan(rng, book, index, site, kind, point, begins, rng.randint(low, high)))
    return Surge(tuple(plan.event for plan in plans), _calls(rng, plans, radius_m, _NEIGHBOUR_DURATION_S, 0.0))


def generate_cascade() -> Surge:
    """Fixed (no rng): the four-call case — one traffic accident at a crossroads of DEFAULT_SITES[0].

    Call A and call B are 240 m apart, each 120 m from the centre on opposite sides of the crash
    (east and west), and describe the same crash in clearly different words; call C comes from
    between them (40 m east of the centre) and its words bridge the two; then D, 10 m from the centre.
    """
    site = DEFAULT_SITES[0]
    centre = _round_point(_offset(site.latitude, site.longitude, 800.0, 30.0))
    event = SurgeEvent(0, site.id, "traffic", centre[0], centre[1], "解放路与中山路交叉口")

    def at(distance_m: float, bearing_deg: float) -> tuple[float, float]:
        return _round_point(_offset(*centre, distance_m, bearing_deg))

    script = (
        (at(120.0, 90.0), "解放路与中山路交叉口东边", "两辆车撞在一起了，有人受伤", 0.0),
        (at(120.0, 270.0), "中山路解放路口往西一点", "路口发生交通事故，一辆轿车侧翻", 6.5),
        (at(40.0, 80.0), "解放路中山路口", "十字路口两辆车撞了，有辆轿车翻过来了，有人受伤", 14.0),
        (at(10.0, 200.0), "解放路与中山路交叉口", "解放路中山路口出车祸了，两辆车相撞，有人卡在车里", 23.0),
    )
    calls = tuple(
        SurgeCall(0, site.id, point[0], point[1], place_text, summary, offset)
        for point, place_text, summary, offset in script
    )
    return Surge((event,), calls)
