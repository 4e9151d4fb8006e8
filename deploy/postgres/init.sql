-- Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
-- One instance, one database per owner: the agreements, notifications and reporting services,
-- and Temporal's persistence + visibility stores (schemas are created by temporalio/auto-setup).
CREATE DATABASE agreements;
CREATE DATABASE notifications;
CREATE DATABASE reporting;
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
