from django.urls import path

from regions import views_auth

urlpatterns = [
    path("login/demo/", views_auth.demo_login, name="demo_login"),
]
