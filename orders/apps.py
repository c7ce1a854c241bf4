from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from members.dashboard import Stage, register_panel, register_stage_resolver
        from members.events import provide_referral_statuses
        from members.selectors import register_member_store_link
        from orders import panels, referrals, selectors

        register_panel(
            name="application", position=10, build=panels.application_panel,
            stages={Stage.GETTING_STARTED, Stage.APPLYING},
        )  # fmt: skip
        register_panel(name="cars", position=5, build=panels.car_life_panel, stages={Stage.OWNER})
        register_stage_resolver(panels.member_stage)
        provide_referral_statuses(referrals.referral_statuses)
        register_member_store_link(selectors.member_ids_with_orders_at)
        from orders.messages import register_step_events
        from orders.reminders import register_reminder_events

        register_step_events()
        register_reminder_events()
        from members import personal_data as members_personal_data
        from orders import personal_data

        members_personal_data.register_data_section(name="orders", build=personal_data.orders_section)
        members_personal_data.register_obligation_check(
            name="orders", check=personal_data.has_active_application_or_unpaid_loan
        )
        members_personal_data.register_identity_retention(name="loans", check=personal_data.had_a_loan)
        members_personal_data.register_eraser(name="order_documents", erase=personal_data.erase_documents_without_loan)
