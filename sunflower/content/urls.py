from django.urls import path

from sunflower.content import views

app_name = "content"

# Mounted at /m/knowledge/ (the portal's 学习 tab; any signed-in person may read).
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("categories/<int:category_id>/", views.category, name="category"),
    path("<int:item_id>/", views.item_page, name="item"),
    path("<int:item_id>/cover/", views.cover, name="cover"),
    path("<int:item_id>/media/", views.media, name="media"),
]
