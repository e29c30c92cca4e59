from django.urls import path

from identities.views_sendcheck import send_check_view

urlpatterns = [
    path("send-check/", send_check_view, name="send_check"),
]
