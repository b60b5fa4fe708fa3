-- Counts one login attempt before the password is checked, with the window's TTL set in the same
-- script (a crash can never leave a counter without one). Success deletes the key.
-- KEYS: 1 login_failures:{email} (attempts since the last success)
-- ARGV: 1 window in ms, 2 attempts allowed in a window
-- Returns 0 when this attempt may go ahead, else the milliseconds until the window ends.
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if n > tonumber(ARGV[2]) then return ttl end
return 0
