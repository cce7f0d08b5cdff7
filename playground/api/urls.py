from django.urls import path

from . import runs, scenarios, traces

urlpatterns = [
    path("me", scenarios.me),
    path("scenarios", scenarios.scenario_list),
    path("scenarios/validate", scenarios.scenario_validate),
    path("scenarios/<slug:slug>", scenarios.scenario_detail),
    path("runs", runs.run_collection),
    path("runs/<uuid:run_id>", runs.run_detail),
    path("runs/<uuid:run_id>/cancel", runs.run_cancel),
    path("runs/<uuid:run_id>/events", runs.run_events),
    path("runs/<uuid:run_id>/trace", runs.run_trace),
    path("traces", traces.trace_upload),
]
