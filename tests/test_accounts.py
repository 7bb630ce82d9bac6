"""Registration, login, roles and sessions."""

import pytest
from sqlalchemy import select

from market.accounts.models import Organization, Role, User
from market.accounts.services import authenticate, register_user
from market.errors import DomainError
from market.extensions import db
from tests.conftest import PASSWORD


def register_form(**overrides):
    data = {
        "role": "enterprise",
        "org_name": "许昌恒达发制品有限公司",
        "county": "建安区",
        "name": "李经理",
        "email": "li@hengda.example.cn",
        "password": "hengda-2026!",
        "confirm": "hengda-2026!",
    }
    data.update(overrides)
    return data


def test_company_registers_and_is_logged_in(client):
    response = client.post("/accounts/register", data=register_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "注册成功" in response.text
    user = db.session.scalar(select(User).where(User.email == "li@hengda.example.cn"))
    assert user.role == Role.ENTERPRISE
    assert user.organization.county == "建安区"
    assert user.password_hash.startswith("$argon2id$")
    assert "li@hengda.example.cn" not in user.password_hash
    assert "许昌恒达发制品有限公司" in client.get("/").text


def test_bureau_accounts_cannot_be_self_registered(client):
    response = client.post("/accounts/register", data=register_form(role="bureau"))
    assert response.status_code == 400
    assert db.session.scalar(select(User)) is None
    with pytest.raises(DomainError):
        register_user(
            email="x@example.cn",
            password="12345678",
            name="x",
            role=Role.BUREAU,
            org_name="许昌市科学技术局",
        )


def test_registration_errors_are_in_chinese_and_store_nothing(client, make_user):
    make_user(Role.ENTERPRISE, email="taken@example.cn")
    cases = [
        (register_form(email="taken@example.cn"), "该邮箱已注册"),
        (register_form(password="short", confirm="short"), "密码至少 8 位"),
        (register_form(confirm="different-1"), "两次输入的密码不一致"),
        (register_form(email="not-an-email"), "邮箱格式不正确"),
        (register_form(org_name=""), "请填写单位名称"),
    ]
    for form, message in cases:
        response = client.post("/accounts/register", data=form)
        assert response.status_code == 400, message
        assert message in response.text
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_nobody_joins_an_existing_organisation_by_typing_its_name(client, make_user):
    make_user(Role.INSTITUTE, org_name="郑州大学")
    for role in ("institute", "enterprise"):
        response = client.post(
            "/accounts/register",
            data=register_form(role=role, org_name="郑州大学", email=f"{role}@example.cn"),
        )
        assert response.status_code == 400
        assert "如需为该单位增加账号，请联系科技局" in response.text
    assert db.session.scalar(select(db.func.count(User.id))) == 1
    assert db.session.scalar(select(db.func.count(Organization.id))) == 1


def test_the_bureau_adds_members_to_an_organisation_from_the_cli(app, make_user):
    make_user(Role.INSTITUTE, org_name="郑州大学")
    args = [
        "users",
        "create",
        "--email",
        "second@zzu.example.cn",
        "--password",
        "zzu-2026-pass",
        "--role",
        "institute",
        "--org",
        "郑州大学",
    ]
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    org = db.session.scalar(select(Organization).where(Organization.name == "郑州大学"))
    assert len(org.members) == 2
    wrong_role = [
        "users",
        "create",
        "--email",
        "x@zzu.example.cn",
        "--password",
        "zzu-2026-pass",
        "--role",
        "enterprise",
        "--org",
        "郑州大学",
    ]
    outcome = app.test_cli_runner().invoke(args=wrong_role)
    assert outcome.exit_code != 0 and "已以其他身份注册" in outcome.output


def test_login_and_logout(client, make_user, auth):
    user = make_user(Role.INSTITUTE)
    response = auth.login(user)
    assert response.status_code == 302
    assert user.name in client.get("/").text
    auth.logout()
    assert user.name not in client.get("/").text


def test_wrong_password_is_refused_without_saying_which_part(client, make_user, auth):
    user = make_user()
    response = auth.login(user, password="wrong-password")
    assert response.status_code == 400
    assert "邮箱或密码不正确" in response.text
    unknown = client.post("/accounts/login", data={"email": "nobody@example.cn", "password": "x"})
    assert "邮箱或密码不正确" in unknown.text
    assert authenticate(user.email, PASSWORD) == user


def test_login_redirects_only_within_the_site(client, make_user):
    user = make_user()
    response = client.post(
        "/accounts/login?next=https://evil.example.com/",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/accounts/logout")
    response = client.post(
        "/accounts/login?next=/postings/mine", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/postings/mine"


def test_changing_the_session_token_signs_out_old_sessions(client, make_user, auth):
    user = make_user()
    auth.login(user)
    assert client.get("/postings/mine").status_code == 200
    user.session_token = "rotated-token"
    db.session.commit()
    assert client.get("/postings/mine").status_code == 302  # back to the login page


def test_users_create_command_makes_bureau_accounts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Staff@KJJ.example.cn",
            "--password",
            "staff-pass-2026",
            "--role",
            "bureau",
            "--org",
            "许昌市科学技术局",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "staff@kjj.example.cn"))
    assert user.role == Role.BUREAU
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "staff@kjj.example.cn",
            "--password",
            "staff-pass-2026",
            "--role",
            "bureau",
            "--org",
            "许昌市科学技术局",
        ]
    )
    assert again.exit_code != 0
    assert "该邮箱已注册" in again.output
