"""A 对接会's pairing schedule as a spreadsheet the bureau prints and hands out."""

from __future__ import annotations

from flask_babel import gettext as _

from market import spreadsheets
from market.events.models import Event, EventMeeting
from market.events.services import local_time, meeting_reasons, slot_times
from market.timeutil import CHINA

REASON_SEPARATOR = "；"
WIDTHS = (6, 18, 8, 28, 36, 28, 36, 8, 60)


def schedule_sheet(event: Event, meetings: list[EventMeeting]) -> spreadsheets.Sheet:
    """One row per meeting, by slot; the reasons wrap."""
    header = [
        _("时段"),
        _("开始时间"),
        _("结束"),
        _("企业"),
        _("技术需求"),
        _("科研机构"),
        _("科技成果"),
        _("匹配度"),
        _("配对理由"),
    ]
    rows = [_row(event, meeting) for meeting in meetings]
    return spreadsheets.Sheet(_("配对日程"), header, rows, widths=WIDTHS, wrap=(len(header) - 1,))


def _row(event: Event, meeting: EventMeeting) -> list:
    start, end = slot_times(event, meeting.slot)
    return [
        meeting.slot + 1,
        local_time(start),
        end.astimezone(CHINA).strftime("%H:%M"),
        meeting.demand_org.name,
        meeting.demand.title if meeting.demand else "",
        meeting.supply_org.name,
        meeting.supply.title if meeting.supply else "",
        round(meeting.strength, 4),
        REASON_SEPARATOR.join(meeting_reasons(meeting)),
    ]


def schedule_xlsx(event: Event, meetings: list[EventMeeting]) -> bytes:
    """The schedule as an XLSX workbook with the header row frozen."""
    return spreadsheets.to_xlsx([schedule_sheet(event, meetings)])
