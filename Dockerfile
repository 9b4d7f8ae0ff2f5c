# One image for every Outlier service; SERVICE picks which one runs.
# Node 24 runs the TypeScript sources directly (type stripping): there is no JS build step.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
COPY . .
RUN pnpm install --frozen-lockfile --prod && pnpm store prune
USER node
ARG SERVICE=collector
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node services/$SERVICE/src/main.ts"]
