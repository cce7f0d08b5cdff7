from django.http import JsonResponse

from playground.scenarios.models import Scenario

from .http import api_view, not_found


@api_view("GET")
def scenario_list(request):
    return JsonResponse([s.listing() for s in Scenario.objects.all()], safe=False)


@api_view("GET")
def scenario_detail(request, slug):
    scenario = Scenario.objects.filter(slug=slug).first()
    if scenario is None:
        raise not_found("scenario")
    return JsonResponse(scenario.spec)
