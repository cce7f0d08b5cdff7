# Kept empty on purpose: the engine's sandboxed child runs as `python -m playground.engine`
# and imports this package on every run, so nothing heavy (Celery, Django) may load here.
# Django processes load the Celery app in RunsConfig.ready().
