from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's user, custom from the first migration so it can grow without a data move."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
