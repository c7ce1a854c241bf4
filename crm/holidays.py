"""The holidays members are greeted on: Spring Festival and Mid-Autumn by the lunar calendar (the maintained
``lunardate`` library), National Day and New Year's Day by the solar one."""

import datetime

from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate


def holidays_on(day: datetime.date) -> list[tuple[str, str]]:
    """[(code, name)] of the holidays falling on ``day``."""
    found = []
    if day == LunarDate(day.year, 1, 1).to_solar_date():
        found.append(("spring_festival", str(_("Spring Festival"))))
    if day == LunarDate(day.year, 8, 15).to_solar_date():
        found.append(("mid_autumn", str(_("Mid-Autumn Festival"))))
    if (day.month, day.day) == (10, 1):
        found.append(("national_day", str(_("National Day"))))
    if (day.month, day.day) == (1, 1):
        found.append(("new_year", str(_("New Year's Day"))))
    return found
