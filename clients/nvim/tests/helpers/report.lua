-- A busted output handler: prints one line per test (so a run reads like TAP in a terminal) and
-- writes every test's full name, status and failure message to the JSON file named by
-- BURROW_TEST_RESULTS. `failed` counts failures and errors for the runner's exit code.
local M = { failed = 0 }

local function write(results)
  local path = vim.env.BURROW_TEST_RESULTS
  if not path or path == '' then
    return
  end
  local file = assert(io.open(path, 'w'))
  file:write(vim.json.encode(results))
  file:close()
end

setmetatable(M, {
  __call = function(_, options)
    local busted = require('busted')
    local handler = require('busted.outputHandlers.base')()
    local results = { tests = {} }
    local reasons = {}

    local function record(element, status, message)
      local name = handler.getFullName(element)
      table.insert(results.tests, { name = name, status = status, message = message })
      if status == 'failure' or status == 'error' then
        M.failed = M.failed + 1
      end
      io.stdout:write(string.format('%s %s%s\n', status == 'success' and 'ok' or status, name, message and (': ' .. message) or ''))
    end

    busted.subscribe({ 'test', 'end' }, function(element, _, status)
      if status == 'success' then
        record(element, 'success')
      elseif status == 'pending' then
        record(element, 'pending', reasons[element])
      end
      return nil, true
    end)
    -- pending('why') inside a test: busted publishes the reason before the test ends.
    busted.subscribe({ 'pending', 'it' }, function(element, _, message)
      -- busted may put the place it was raised in front ("run.lua:24: "); the reason is what follows.
      reasons[element] = type(message) == 'string' and message:gsub('^[^%s]+:%d+: ', '') or message
      return nil, true
    end)
    busted.subscribe({ 'failure', 'it' }, function(element, _, message, debug)
      record(element, 'failure', tostring(message) .. (debug and debug.traceback and ('\n' .. debug.traceback) or ''))
      return nil, true
    end)
    busted.subscribe({ 'error', 'it' }, function(element, _, message, debug)
      record(element, 'error', tostring(message) .. (debug and debug.traceback and ('\n' .. debug.traceback) or ''))
      return nil, true
    end)
    busted.subscribe({ 'error' }, function(element, _, message)
      -- An error outside any test (a spec that does not load, a failing before_each).
      if element.descriptor ~= 'it' then
        record(element, 'error', tostring(message))
      end
      return nil, true
    end)
    busted.subscribe({ 'suite', 'end' }, function()
      write(results)
      return nil, true
    end)
    handler:subscribe(options)
    return handler
  end,
})

return M
