from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from members.dashboard import register_panel
        from members.events import provide_referral_statuses
        from members.selectors import register_member_store_link
        from orders import panels, referrals, selectors

        register_panel(name="application", position=10, build=panels.application_panel)
        register_panel(name="cars", position=40, build=panels.cars_panel)
        provide_referral_statuses(referrals.referral_statuses)
        register_member_store_link(selectors.member_ids_with_orders_at)
        from orders.messages import register_step_events
        from orders.reminders import register_reminder_events

        register_step_events()
        register_reminder_events()
