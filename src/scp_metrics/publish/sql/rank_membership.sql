-- The delivered Most Similar Group membership, in a fixed order: by name.
select group_id, area_code, area_name
from stg_msg_membership
order by group_id, area_name, area_code
