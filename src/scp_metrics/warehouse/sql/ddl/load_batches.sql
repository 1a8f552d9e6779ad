-- The ledger: one row per file delivered (loaded, superseded or restored).
create table if not exists load_batches (
    batch_id bigint primary key,
    run_id varchar not null,
    source varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    rows bigint not null,
    period varchar,
    loaded_at timestamp not null,
    status varchar not null,
    superseded_by bigint,
    notes varchar
)
