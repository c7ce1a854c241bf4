"""The task-execution report's API answer (served by crm.reports with the other reports)."""

from rest_framework import permissions, serializers


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class FiguresSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Tasks created in the period (cancelled ones left out).")
    done = serializers.IntegerField(help_text="Of those, completed.")
    done_on_time = serializers.IntegerField(help_text="Completed at or before their due time.")
    overdue = serializers.IntegerField(
        help_text="Open past their due time, or completed after it; for the days before the nightly refresh as of "
        "the refresh, for the days since as of now."
    )
    reached = serializers.IntegerField(help_text="Completed with the outcome `reached`.")
    reach_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="reached ÷ done; null while nothing is done."
    )
    on_time_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="done_on_time ÷ created; null without tasks."
    )
    score = serializers.IntegerField(
        allow_null=True, help_text="0–100: weighted attainment of head office's targets; null without tasks."
    )


class AgentRowSerializer(FiguresSerializer):
    store = serializers.CharField(source="store_code", allow_null=True, help_text="The store's code; null: none.")
    assignee = serializers.CharField(allow_null=True, help_text="The agent's username; null: nobody took them.")


class StoreRowSerializer(FiguresSerializer):
    store = serializers.CharField(source="store_code", allow_null=True, help_text="The store's code; null: none.")
    store_name = serializers.CharField(allow_null=True)


class TargetsSerializer(serializers.Serializer):
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    reach_rate = serializers.DecimalField(max_digits=5, decimal_places=4)


class TaskExecutionReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    targets = TargetsSerializer()
    rows = AgentRowSerializer(many=True, help_text="Per store and assignee, by store code and username.")
    stores = StoreRowSerializer(many=True, help_text="Per store (the sums of its rows).")
    total = FiguresSerializer()
