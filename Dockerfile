FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -e .
COPY . .
# Static files are collected with the production storage (hashed names); the values below exist only for this step.
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=build FIELD_ENCRYPTION_KEYS=ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI= \
    PII_HASH_KEY=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
USER nobody
