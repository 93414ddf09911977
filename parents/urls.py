from django.urls import include, path

app_name = "parents"

urlpatterns = [
    path("", include("parents.consent_urls")),
    path("", include("parents.conversation_urls")),
]
