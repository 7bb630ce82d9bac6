"""The bureau's synonym groups: the admin page (bureau only), validation that changes nothing,
and a new group bridging a gap in stored matches after beat's re-matching task."""

import pytest
from sqlalchemy import select

from market.accounts.models import Role
from market.extensions import db
from market.matching.models import Match
from market.notifications.models import Notification
from market.synonyms.models import SynonymGroup
from market.synonyms.services import current_thesaurus, parse_words
from worker import tasks

PAGE = "/bureau/synonyms/"

# A plant says 结块 where an institute writes 团聚: no shared word, no thesaurus entry.
# A gap that neither the shipped thesaurus nor 词林 bridges (checked when written): only a
# bureau group can connect "粘住" with "隔离涂层".
STICKING_PROBLEM = {
    "title": "麦芽糖块堆放后粘住",
    "keywords": "麦芽糖块, 粘住",
    "body": "麦芽糖块切好后一堆放就互相粘住，分开时常常掰碎，损耗很大，想找个办法。",
    "field": "其他",
}
COATING_RESULT = {
    "title": "蜂蜡隔离涂层",
    "keywords": "隔离涂层",
    "body": "喷涂蜂蜡乳液后，膏体表面形成一层均匀的隔离膜，常温存放六个月不变形。",
    "field": "新材料",
}


@pytest.fixture
def bureau(make_user, auth):
    user = make_user(Role.BUREAU, name="李科长")
    auth.login(user)
    return user


def groups():
    return db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)).all()


def test_words_may_be_separated_by_spaces_commas_and_enumeration_commas():
    assert parse_words(" 结块，团聚、板结, 硬化 ;成团\t粘连 ") == [
        "结块",
        "团聚",
        "板结",
        "硬化",
        "成团",
        "粘连",
    ]


def test_only_the_bureau_may_open_the_synonym_page(client, auth, make_user):
    assert client.get(PAGE).status_code == 302  # to the login page
    for role in (Role.ENTERPRISE, Role.INSTITUTE):
        auth.login(make_user(role))
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, data={"words": "结块 团聚"}).status_code == 403
        auth.logout()
    assert groups() == []


def test_the_bureau_adds_a_group_and_sees_who_added_it(client, bureau):
    response = client.post(PAGE, data={"words": "结块，团聚、板结"})
    assert response.status_code == 302
    (group,) = groups()
    assert group.words == ["结块", "团聚", "板结"]
    assert group.active and group.created_by_id == bureau.id and group.created_at
    page = client.get(PAGE).text
    assert "已添加同义词组" in page
    assert '<span class="chip">团聚</span>' in page and "李科长" in page


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("结块", "同义词组至少需要两个不同的词"),
        ("结块 结块", "同义词组至少需要两个不同的词"),
        ("结块 " + "团" * 21, "过长"),
        ("", "请填写至少两个词"),
    ],
)
def test_an_invalid_group_is_refused_in_chinese_and_changes_nothing(client, bureau, words, message):
    response = client.post(PAGE, data={"words": words})
    assert response.status_code == 400
    assert message in response.text
    assert groups() == []


def test_the_same_group_twice_is_refused(client, bureau):
    client.post(PAGE, data={"words": "结块 团聚"})
    response = client.post(PAGE, data={"words": "团聚、结块"})
    assert response.status_code == 400 and "已有相同的同义词组" in response.text
    assert len(groups()) == 1


def test_deactivating_activating_and_deleting_a_group(client, bureau):
    client.post(PAGE, data={"words": "结块 团聚"})
    (group,) = groups()
    with_group = current_thesaurus().version
    client.post(f"{PAGE}{group.id}/deactivate")
    db.session.refresh(group)
    assert not group.active and group.deactivated_at is not None
    assert "已停用" in client.get(PAGE).text
    assert current_thesaurus().version != with_group
    client.post(f"{PAGE}{group.id}/activate")
    db.session.refresh(group)
    assert group.active and current_thesaurus().version == with_group
    group_id = group.id
    client.post(f"{PAGE}{group_id}/delete")
    assert groups() == []
    assert client.post(f"{PAGE}{group_id}/delete").status_code == 404


def test_a_new_group_bridges_a_gap_after_the_beat_task(client, bureau, make_posting, make_user):
    result = make_posting("result", publish=True, **COATING_RESULT)
    problem = make_posting("problem", publish=True, **STICKING_PROBLEM)
    tasks.rematch_for_thesaurus.apply()  # the first beat records what matches were made with

    def stored():
        db.session.expire_all()
        return db.session.scalar(
            select(Match).where(Match.demand_id == problem.id, Match.supply_id == result.id)
        )

    assert stored() is None
    client.post(PAGE, data={"words": "粘住 隔离涂层"})
    assert stored() is None  # stored matches change by beat, in batches
    assert tasks.rematch_for_thesaurus.apply().get() == 1
    match = stored()
    assert match is not None
    assert ["粘住", "隔离涂层"] in match.explanation["bridges"]
    told = select(Notification).where(Notification.event_key == f"match:{problem.id}:{result.id}")
    assert len(db.session.scalars(told).all()) == 2  # a new strong match: both sides, once

    assert tasks.rematch_for_thesaurus.apply().get() == 0  # nothing changed since
    (group,) = groups()
    client.post(f"{PAGE}{group.id}/deactivate")
    assert tasks.rematch_for_thesaurus.apply().get() == 1
    assert stored() is None  # without the group, the problem's match is gone again
    assert len(db.session.scalars(told).all()) == 2
