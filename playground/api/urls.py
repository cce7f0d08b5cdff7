from .app import urlpatterns as api_urlpatterns

# Reversed as "api:openapi-json" by the docs page.
app_name = "api"
urlpatterns = api_urlpatterns()
