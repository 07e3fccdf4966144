from django.urls import URLPattern

app_name = "algorithms"
urlpatterns: list[URLPattern] = []
