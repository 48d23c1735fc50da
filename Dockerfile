# dutyline — one image for every container of the platform; the command picks what it runs:
#   serve intake|roster|incident|notify|insight
#                                         a gRPC service (ports 50051-50055, DUTYLINE_<SERVICE>_ADDRESS)
#   console                               the duty console, the web screen (HTTP on DUTYLINE_CONSOLE_ADDRESS;
#                                         set it to 0.0.0.0:8080 in a container), a client of the services
#   worker SERVICES                       the Temporal workers of the named services: one per container
#                                         (worker incident), a list (incident,notify) or all (insight
#                                         has none: it reads the event stream)
#   migrate --temporal [--demo]           schema migrations, Temporal search attributes (a one-shot job)
#   health <service>                      exit 0 iff the local service answers SERVING (container probes)
#   nats-auth DIR                         the NATS operator (JWT) setup, created once (a one-shot job)
#
#   docker build -t dutyline:0.1.0 .
#   docker run --rm dutyline:0.1.0 serve intake
#
# Only the runtime is installed (`pip install .`): no embedded dev stack (dutyline/stack: `up`, the
# demo, the local gateway; its commands say they need the [embedded] extra), no aiosmtpd or psutil, no
# embedded servers, no development tools. Runs as uid/gid 10001 and writes nothing outside the
# directories it is given and /tmp, so a read-only root filesystem works (Kubernetes:
# readOnlyRootFilesystem with an emptyDir on /tmp).
#
# The `dev` target is that image plus the dev stack and the [gateway] extra, for docker-compose.yml's
# local message gateway only (`gateway --dir DIR ...`, the SMTP + HTTP sink of demos); never deployed:
#   docker build --target dev -t dutyline:0.1.0-dev .

FROM python:3.11-slim-trixie AS source

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what `pip install .` reads: the project metadata, its readme and the packages (generated
# protobuf code is committed; tests, protos, bench and docs stay out).
COPY pyproject.toml README.md ./
COPY dutyline ./dutyline
COPY services ./services
COPY workflows ./workflows
COPY buf ./buf


# The production runtime, without the embedded dev stack.
FROM source AS builder
RUN rm -rf dutyline/stack \
    && pip install --no-cache-dir .


# The runtime with the dev stack and the local gateway's SMTP server (aiosmtpd).
FROM source AS dev-builder
RUN pip install --no-cache-dir "./[gateway]"


# What both images are: a fixed non-root user, the directories it writes, the environment.
FROM python:3.11-slim-trixie AS runtime

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="dutyline" \
      org.opencontainers.image.description="dutyline — 应急值班值守平台, a central 24/7 emergency duty platform: gRPC services intake, roster, incident, notify, their Temporal workers and the duty console" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-trixie"

# A fixed non-root user. The directories below are owned by it so that a named volume mounted there
# starts with that owner (Docker copies the mount point's ownership into a new volume):
# /nats-auth for `nats-auth /nats-auth`, /var/lib/dutyline for the gateway's messages.
RUN groupadd --system --gid 10001 dutyline \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin dutyline \
    && install -d -o 10001 -g 10001 -m 0700 /nats-auth \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/dutyline

# insight's charts and PDF documents draw Chinese in a TrueType CJK font (services/insight/render/fonts.py
# finds it at Debian's path; reportlab can embed only TrueType outlines, hence WenQuanYi Micro Hei).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei=0.2.0-beta-3.1 \
    && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DUTYLINE_LISTEN_HOST=0.0.0.0 \
    DUTYLINE_LOG_FORMAT=json \
    DUTYLINE_METRICS_PORT=9464

USER 10001
ENTRYPOINT ["dutyline"]
CMD ["--help"]


# docker-compose.yml's local message gateway (`docker build --target dev`).
FROM runtime AS dev
COPY --from=dev-builder /opt/venv /opt/venv


# The production image (the default target): the runtime only.
FROM runtime
COPY --from=builder /opt/venv /opt/venv
# gRPC of the services, the console, Prometheus metrics of the services and workers.
EXPOSE 50051-50055 8080 9464
