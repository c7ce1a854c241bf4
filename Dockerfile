# Front-end libraries (Chart.js) from npm, as package-lock.json pins them.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -e .
COPY . .
COPY --from=assets /assets/node_modules/chart.js/dist node_modules/chart.js/dist
# Static files are collected with the production storage (hashed names). The settings must load for that, so this one
# step gets throwaway keys made on the spot and the staging switch (no providers are used); the image keeps none.
RUN DJANGO_SETTINGS_MODULE=config.settings.production ALLOW_DEMO_PROVIDERS=true ALLOWED_HOSTS=localhost SITE_URL=https://build.invalid \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    PII_HASH_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput
USER nobody
