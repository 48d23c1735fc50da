"""What callers' words say about an event: kinds of event, place names and terms, without servers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.wording import KIND_WORDS, features, fits_category, reading, relation


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("三楼着火了", "fire"),
        ("仓库起火，浓烟很大", "fire"),
        ("厨房失火", "fire"),
        ("楼顶在冒黑烟", "fire"),
        ("两辆车撞在一起了", "traffic"),
        ("高架上追尾", "traffic"),
        ("货车侧翻", "traffic"),
        ("出车祸了", "traffic"),
        ("交通事故，有人受伤", "traffic"),
        ("工地的墙倒塌了", "collapse"),
        ("化工厂爆炸", "explosion"),
        ("地下车库被淹了", "flood"),
        ("山体滑坡把路堵了", "landslide"),
        ("闻到很浓的煤气味", "gas_leak"),
        ("有辆槽罐车侧翻了，在漏东西", "gas_leak"),
        ("厂里的罐子漏了，工人都在往外跑", "gas_leak"),
        ("A tanker truck is leaking", "gas_leak"),
        ("有小孩落水", "drowning"),
        ("商场门口发生踩踏", "stampede"),
        ("有人持刀伤人", "violence"),
        ("老人晕倒了", "medical"),
        ("整个小区停电", "power_outage"),
        ("There is a FIRE in the building", "fire"),
        ("car crash at the roundabout", "traffic"),
    ],
)
def test_every_way_of_saying_a_kind_of_event_is_that_kind(text: str, kind: str) -> None:
    assert kind in features(text).kinds


def test_a_leak_is_not_read_into_a_building() -> None:
    # Words are matched by their readings (typos read the same): 漏液 (lou ye) would be read in 楼也.
    assert features("旁边的楼也裂开了，脚手架倒了").kinds == frozenset()


def test_english_kinds_are_whole_words() -> None:
    assert features("fireworks at the fireplace").kinds == frozenset()
    assert features("a gas leak near the school").kinds == {"gas_leak"}


def test_the_words_of_a_kind_leave_the_terms_so_paraphrases_agree() -> None:
    fire, burning = features("仓库着火了"), features("仓库起火了")
    assert fire.kinds == burning.kinds == {"fire"}
    assert fire.terms == burning.terms


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("解放路与中山路交叉口两辆车撞在一起", {"解放路", "中山路"}),
        ("中山路路口发生交通事故", {"中山路"}),
        ("在阳光花园小区3号楼着火了", {"阳光花园小区"}),
        ("现场在人民路往东200米", {"人民路"}),
        ("城西隧道里面发生连环追尾", {"城西隧道"}),
        ("人民广场附近有人打架", {"人民广场"}),
        ("和平路口与解放路", {"和平路", "解放路"}),
        ("沿着江边的路走", set()),
        ("路口", set()),
    ],
)
def test_place_names_are_found_without_prepositions_and_junction_words(text: str, places: set[str]) -> None:
    assert features(text).places == {reading(p) for p in places}


def test_what_every_caller_says_tells_nothing() -> None:
    said = features("喂，你好，我要报警，快来人啊，这边出事了，快派人过来！！")
    assert said.kinds == said.places == said.terms == frozenset()


def test_tokens_mark_kinds_and_places() -> None:
    said = features("解放路着火了")
    assert said.tokens == {"#fire", "@jie-fang-lu", "jie-fang", "fang-lu"}


@pytest.mark.parametrize(
    ("typo", "right"),
    [
        ("着伙了", "着火了"),
        ("有人逆水", "有人溺水"),
        ("出车货了", "出车祸了"),
        ("踩塌", "踩踏"),
        ("仁和公圆湖边", "仁和公园湖边"),
    ],
)
def test_homophone_typos_read_the_same(typo: str, right: str) -> None:
    assert features(typo) == features(right)


def test_relations_between_kinds() -> None:
    assert relation(frozenset({"fire"}), frozenset({"fire", "explosion"})) == "same"
    assert relation(frozenset({"fire"}), frozenset({"explosion"})) == "related"
    assert relation(frozenset({"fire"}), frozenset({"traffic"})) == "other"
    assert relation(frozenset({"fire"}), frozenset()) == "unknown"
    # Being trapped goes with any event: it says nothing either way.
    assert relation(frozenset({"trapped"}), frozenset({"flood"})) == "unknown"


kind_sets = st.frozensets(st.sampled_from(sorted(KIND_WORDS)), max_size=3)


@given(kind_sets, kind_sets)
def test_relation_is_symmetric(a: frozenset[str], b: frozenset[str]) -> None:
    assert relation(a, b) == relation(b, a)


def test_a_verified_category_excludes_kinds_that_cannot_be_it() -> None:
    assert fits_category(frozenset({"landslide"}), "natural_disaster")
    assert not fits_category(frozenset({"violence"}), "natural_disaster")
    assert fits_category(frozenset(), "accident")
    assert fits_category(frozenset({"violence"}), "")


@given(st.text(max_size=200))
def test_any_text_has_features(text: str) -> None:
    said = features(text)
    assert said.tokens >= said.terms
