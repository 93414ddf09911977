# Production image: gunicorn serves the app, whitenoise its static files.
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=alert4you.settings.production \
    ALERT4YOU_VAR_DIR=/var/lib/alert4you
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app alert4you
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY --chown=alert4you . .
COPY --from=static /src/node_modules/bootstrap/dist static/vendor/bootstrap-dist
RUN mkdir -p static/vendor/bootstrap static/vendor/htmx "$ALERT4YOU_VAR_DIR" \
    && cp static/vendor/bootstrap-dist/css/bootstrap.min.css* static/vendor/bootstrap/ \
    && cp static/vendor/bootstrap-dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/ \
    && rm -rf static/vendor/bootstrap-dist
COPY --from=static /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
RUN DJANGO_SECRET_KEY=build-only-secret-key-that-is-long-enough-for-the-settings-check \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --no-input \
    && python manage.py compilemessages -v 0 \
    && chown -R alert4you "$ALERT4YOU_VAR_DIR"
USER alert4you
EXPOSE 8000
CMD ["gunicorn", "alert4you.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
