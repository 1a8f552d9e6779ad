-- The build's temporary tables, dropped once the mart is written.
drop table if exists _iv_inputs;
drop table if exists _iv_todo;
drop table if exists _iv_new;
drop table if exists _iv_survey
