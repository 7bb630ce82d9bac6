"""The interface speaks Simplified Chinese first; English is selectable."""

from market.accounts.models import Role
from market.extensions import db


def test_pages_are_in_simplified_chinese_by_default(client):
    page = client.get("/").text
    assert '<html lang="zh-Hans">' in page
    assert "首页" in page and "技术需求" in page and "科技成果" in page


def test_english_browsers_get_english(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="en">' in page
    assert "Home" in page and "Technical needs" in page


def test_chinese_browsers_get_chinese(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert "首页" in page


def test_the_language_switch_sticks_for_the_session(client):
    client.post("/locale/en")
    assert "Home" in client.get("/").text
    client.post("/locale/zh_Hans_CN")
    assert "首页" in client.get("/").text
    assert client.post("/locale/fr").status_code == 404


def test_a_logged_in_users_choice_is_remembered(client, auth, make_user):
    user = make_user(Role.ENTERPRISE)
    auth.login(user)
    client.post("/locale/en")
    db.session.refresh(user)
    assert user.locale == "en"
    auth.logout()
    client.post("/locale/zh_Hans_CN")
    auth.login(user)
    assert "Home" in client.get("/").text


def test_error_messages_follow_the_language(client, make_user, auth):
    auth.login(make_user(Role.ENTERPRISE))
    form = {
        "title": "",
        "body": "短",
        "field": "电力装备",
        "cooperation": "合作开发",
        "valid_until": "2099-01-01",
    }
    assert "请填写标题" in client.post("/postings/problems/new", data=form).text
    client.post("/locale/en")
    english = client.post("/postings/problems/new", data=form).text
    assert "Title is required." in english


def test_every_message_has_an_english_translation():
    """The English catalogue is complete and compiled (msgids are the Chinese source)."""
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).parent.parent / "market" / "translations" / "en" / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po_file:
        catalog = read_po(po_file)

    def key(message):  # plural messages have a (singular, plural) id
        return tuple(message.id) if isinstance(message.id, list | tuple) else message.id

    def translated(message):
        forms = message.string if isinstance(message.string, list | tuple) else [message.string]
        return all(forms)

    untranslated = [m.id for m in catalog if m.id and not translated(m)]
    assert untranslated == []
    with open(folder / "messages.mo", "rb") as mo_file:
        compiled = read_mo(mo_file)
    assert {key(m) for m in compiled if m.id} == {key(m) for m in catalog if m.id and not m.fuzzy}


def test_day_counts_are_plural_aware_in_english(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context():
        with force_locale("en"):
            one = ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 1)
            three = ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 3)
        with force_locale("zh_Hans_CN"):
            chinese = ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 3)
    assert (one, three, chinese) == ("1 day overdue", "3 days overdue", "已逾期 3 天")
