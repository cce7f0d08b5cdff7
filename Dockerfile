# The playground as a container: the frontend is built with Node in its own stage and
# only its output is copied into a slim Python image that runs as a non-root user.
# The same image runs the web process (the default command, Daphne) and the Celery
# worker (`celery -A playground worker`); see docker-compose.yml.

FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# Vite writes into ../playground/static/dist
RUN mkdir -p ../playground/static && npm run build

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLAYGROUND_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app
# bubblewrap builds the operating-system wall around each run; prlimit and setpriv
# (util-linux) and libseccomp are the rest of it. See README, "Sandbox".
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap util-linux libseccomp2 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY manage.py ./
COPY playground/ ./playground/
COPY --from=frontend /src/playground/static/dist/ ./playground/static/dist/
# collectstatic at build time: WhiteNoise serves the files from STATIC_ROOT.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 playground \
    && mkdir -p /app/var && chown playground:playground /app/var
USER playground
EXPOSE 8000
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "playground.asgi:application"]
