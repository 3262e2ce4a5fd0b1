from harborlight.web.api import api

urlpatterns = [*api.urls[0]]
