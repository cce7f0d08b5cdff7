from django.db import models


class Scenario(models.Model):
    """A lesson: a validated playground.scenario/1 spec, built in or saved by a person."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    spec = models.JSONField()
    builtin = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-builtin", "title"]

    def __str__(self):
        return self.slug

    def listing(self):
        return {"slug": self.slug, "title": self.title, "summary": self.summary, "tags": self.tags,
                "builtin": self.builtin}
