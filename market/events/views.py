"""活动 pages: the public list and detail, the bureau's management, registration, the 对接会
schedule (page and XLSX), a registrant's own meetings and what an event produced."""

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market import outbox
from market.auth import bureau_required
from market.errors import DomainError
from market.events import services
from market.events.export import schedule_xlsx
from market.events.forms import (
    KIND_LABELS,
    CancelEventForm,
    EmptyForm,
    EventForm,
    RegistrationForm,
)
from market.forms import options, show_domain_error
from market.templating import local_time

bp = Blueprint("events", __name__, url_prefix="/events")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def event_helpers() -> dict:
    return {
        "event_kind": lambda event: str(KIND_LABELS[event.kind]),
        "event_time": local_time,
        "event_where": services.where,
    }


@bp.route("/")
def listing():
    return render_template(
        "events/list.html", upcoming=services.upcoming_events(), past=services.past_events()
    )


@bp.route("/<int:event_id>")
def detail(event_id: int):
    return _detail_page(services.get_event(event_id))


def _detail_page(event, form: RegistrationForm | None = None, status: int = 200):
    registration = None
    if current_user.is_authenticated and not current_user.is_bureau:
        registration = services.registration_of(current_user.organization_id, event.id)
        if form is None:
            form = RegistrationForm()
            if registration is not None and (registration.is_active or registration.is_waiting):
                form.posting_ids.data = [str(p.id) for p in registration.postings]
        postings = services.open_postings_of(current_user.organization_id)
        form.posting_ids.choices = options([(p.id, p.title) for p in postings])
    is_bureau = current_user.is_authenticated and current_user.is_bureau
    return render_template(
        "events/detail.html",
        event=event,
        registration=registration,
        form=form,
        started=services.has_started(event),
        registrations=services.active_registrations(event) if is_bureau else [],
        waiting=services.waiting_list(event) if is_bureau else [],
        position=services.waiting_position(registration) if registration else None,
        cancel_form=CancelEventForm(),
        button_form=EmptyForm(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@bureau_required
def new():
    form = EventForm()
    status = 200
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, form.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
            status = 400
        else:
            flash(_("活动“%(title)s”已发布。", title=event.title), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    elif request.method == "POST":
        status = 400
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@bureau_required
def edit(event_id: int):
    event = services.get_event(event_id)
    form = EventForm()
    status = 200
    if request.method == "GET":
        _fill(form, event)
    elif form.validate_on_submit():
        try:
            services.update_event(current_user, event_id, form.data)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            show_domain_error(form, error)
            status = error.status_code
        else:
            flash(_("活动信息已更新。"), "success")
            return redirect(url_for("events.detail", event_id=event_id))
    else:
        status = 400
    return render_template("events/form.html", form=form, event=event), status


def _fill(form: EventForm, event) -> None:
    form.kind.data = event.kind.value
    form.title.data = event.title
    form.starts_at.data = _form_time(event.starts_at)
    form.ends_at.data = _form_time(event.ends_at)
    form.place.data = event.place or ""
    form.online_url.data = event.online_url or ""
    form.capacity.data = str(event.capacity)
    form.description.data = event.description
    form.slot_minutes.data = str(event.slot_minutes)
    form.slot_count.data = str(event.slot_count)


def _form_time(moment) -> str:
    return local_time(moment).replace(" ", "T")


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@bureau_required
def cancel(event_id: int):
    form = CancelEventForm()
    if not form.validate_on_submit():
        return redirect(url_for("events.detail", event_id=event_id))
    try:
        services.cancel_event(current_user, event_id, form.reason.data)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return _detail_page(services.get_event(event_id), status=error.status_code)
    flash(_("活动已取消，已通知报名单位。"), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/register", methods=["POST"])
@login_required
def register(event_id: int):
    form = RegistrationForm()
    if not form.validate_on_submit():
        return redirect(url_for("events.detail", event_id=event_id))
    already = services.registration_of(current_user.organization_id, event_id)
    was_in = already is not None and (already.is_active or already.is_waiting)
    try:
        registration = services.register_for_event(
            current_user,
            event_id,
            form.posting_ids.data or [],
            waitlist=request.form.get("waitlist") == "1",
        )
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return _detail_page(services.get_event(event_id), form, status=error.status_code)
    if was_in:
        flash(_("已更新带到对接会的内容。"), "success")
    elif registration.is_waiting:
        position = services.waiting_position(registration)
        flash(_("报名人数已满，您单位已加入候补名单（第 %(n)d 位）。", n=position), "success")
    else:
        flash(_("报名成功。"), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/unregister", methods=["POST"])
@login_required
def unregister(event_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("events.detail", event_id=event_id))
    try:
        services.cancel_registration(current_user, event_id)
        outbox.commit()
    except DomainError as error:
        outbox.rollback()
        flash(error.message, "danger")
        return _detail_page(services.get_event(event_id), status=error.status_code)
    flash(_("已取消报名。"), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/schedule", methods=["GET", "POST"])
@bureau_required
def schedule(event_id: int):
    event = services.get_event(event_id)
    status = 200
    if request.method == "POST" and EmptyForm().validate_on_submit():
        try:
            meetings = services.generate_schedule(current_user, event_id)
            outbox.commit()
        except DomainError as error:
            outbox.rollback()
            flash(error.message, "danger")
            status = error.status_code
        else:
            flash(_("已生成配对日程：共 %(n)d 场洽谈。", n=len(meetings)), "success")
            return redirect(url_for("events.schedule", event_id=event_id))
    return _schedule_page(event, services.schedule_of(event), status, for_bureau=True)


def _schedule_page(event, meetings, status=200, for_bureau=False):
    return render_template(
        "events/schedule.html",
        event=event,
        meetings=meetings,
        for_bureau=for_bureau,
        candidates=len(services.schedule_candidates(event)) if for_bureau else None,
        reasons=services.meeting_reasons,
        slot_label=services.slot_label,
        form=EmptyForm(),
    ), status


@bp.route("/<int:event_id>/schedule.xlsx")
@bureau_required
def schedule_download(event_id: int):
    event = services.get_event(event_id)
    return send_file(
        io.BytesIO(schedule_xlsx(event, services.schedule_of(event))),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"对接会配对日程-{event.id}.xlsx",
        max_age=0,
    )


@bp.route("/<int:event_id>/meetings")
@login_required
def my_meetings(event_id: int):
    event = services.get_event(event_id)
    if current_user.is_bureau:
        return redirect(url_for("events.schedule", event_id=event_id))
    return _schedule_page(event, services.meetings_for(current_user, event))


@bp.route("/<int:event_id>/outcomes")
@bureau_required
def outcomes(event_id: int):
    event = services.get_event(event_id)
    return render_template(
        "events/outcomes.html",
        event=event,
        outcomes=services.event_outcomes(current_user, event_id),
    )
