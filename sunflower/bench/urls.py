"""URLs of the bench-only endpoints; included only when SUNFLOWER_BENCH_ENDPOINTS is true."""

from django.urls import path

from sunflower.bench import views

app_name = "bench"

urlpatterns = [
    path("insert/", views.insert, name="insert"),
]
