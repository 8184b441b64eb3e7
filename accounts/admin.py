from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User

# API tokens are listed by rest_framework.authtoken's own admin (Auth Token > Tokens).
admin.site.register(User, UserAdmin)
