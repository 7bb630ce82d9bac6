"""Posting lists: filters (kind, field, county, cooperation, maturity, status), sorting, pages."""

from market import outbox
from market.accounts.models import Role
from market.postings.models import PostingStatus


def titles(page: str, candidates) -> list[str]:
    """The candidate titles in the order the page shows them."""
    found = [(page.find(t), t) for t in candidates if t in page]
    return [t for _pos, t in sorted(found)]


def test_filters_narrow_the_list(client, make_posting, make_user):
    a = make_posting("problem", publish=True, title="魏都区的测温需求", cooperation="合作开发")
    b = make_posting(
        "problem",
        publish=True,
        author=make_user(Role.ENTERPRISE, org_name="禹州钧瓷有限公司", county="禹州市"),
        title="禹州的窑温控制需求",
        field="钧瓷",
        cooperation="技术咨询",
    )
    r = make_posting("result", publish=True, title="中试阶段的测温成果", maturity="中试")
    every = [a.title, b.title, r.title]
    assert titles(client.get("/postings/").text, every) != []
    assert titles(client.get("/postings/?kind=problem").text, every) == sorted(
        [a.title, b.title], key=lambda t: [b.title, a.title].index(t)
    )
    assert titles(client.get("/postings/?field=钧瓷").text, every) == [b.title]
    assert titles(client.get("/postings/?county=禹州市").text, every) == [b.title]
    assert titles(client.get("/postings/?cooperation=技术咨询").text, every) == [b.title]
    assert titles(client.get("/postings/?cooperation=技术许可").text, every) == [r.title]
    assert titles(client.get("/postings/?maturity=中试").text, every) == [r.title]
    assert "共 0 条" in client.get("/postings/?field=发制品").text


def test_sorting_and_pages(client, make_posting):
    made = [make_posting("result", publish=True, title=f"成果{n:02d}号") for n in range(23)]
    first = client.get("/postings/?kind=result&sort=oldest").text
    assert "共 23 条" in first and "第 1 / 2 页" in first
    assert made[0].title in first and made[22].title not in first
    second = client.get("/postings/?kind=result&sort=oldest&page=2").text
    assert made[22].title in second and made[0].title not in second
    newest = client.get("/postings/?kind=result&sort=newest").text
    assert newest.find(made[22].title) < newest.find(made[21].title)
    by_title = client.get("/postings/?kind=result&sort=title&per_page=5").text
    assert titles(by_title, [m.title for m in made]) == [m.title for m in made[:5]]
    assert client.get("/postings/?page=99&sort=bogus&kind=bogus").status_code == 200


def test_only_the_bureau_lists_unpublished_postings_by_status(
    client, auth, make_posting, make_user
):
    pending = make_posting("problem", title="等待审核的需求")
    returned = make_posting("problem", title="退回修改的需求")
    returned.status = PostingStatus.RETURNED
    outbox.commit()
    assert pending.title not in client.get("/postings/?status=pending").text
    auth.login(make_user(Role.BUREAU))
    assert pending.title in client.get("/postings/?status=pending").text
    page = client.get("/postings/?status=returned").text
    assert returned.title in page and pending.title not in page
