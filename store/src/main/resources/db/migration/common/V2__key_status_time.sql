-- When a key last changed status: rotation promotes a pending key after it has been published long
-- enough, and destroys a retired key once every token it signed has expired.
ALTER TABLE keys ADD COLUMN changed TEXT;
UPDATE keys SET changed = created;
