# The image docker-compose.yml runs as web, worker, beat and migrate.

# Browser libraries pinned in package.json (Mermaid), served as Stip's own static files.
FROM node:22-slim AS browser-libraries
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Baseline annexes as PDF: WeasyPrint needs Pango (with HarfBuzz for font subsets) and fonts;
# Chromium draws their process diagrams headless (wiki/drawing.py; without it, their text).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra chromium \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
COPY --from=browser-libraries /app/node_modules ./node_modules
# Static files are collected into the image; WhiteNoise serves them from there.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home-dir /app stip \
    && mkdir -p var/media var/attachments var/mail var/celery \
    && chown -R stip var

USER stip
EXPOSE 8000
CMD ["gunicorn", "--config", "python:config.gunicorn", "config.wsgi"]
