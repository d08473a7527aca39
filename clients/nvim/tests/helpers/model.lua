-- The fake model runtime from the specs' side: the runner that started this Neovim also started a
-- fake Ollama for the server (OLLAMA_HOST) and a small control endpoint beside it
-- (BURROW_TEST_MODEL_CONTROL). A spec says what the model will answer before it starts a task, and
-- reads back what the model was asked. Plain HTTP/1.0 over libuv, so nothing beyond Neovim is needed.
local uv = vim.uv or vim.loop

local M = {}

local function control(method, path, body)
  local base = vim.env.BURROW_TEST_MODEL_CONTROL
  assert(base and base ~= '', 'BURROW_TEST_MODEL_CONTROL is not set: run the specs through test/nvim (npm test).')
  local host, port = base:match('^http://([%d%.]+):(%d+)')
  local payload = body ~= nil and vim.json.encode(body) or ''
  local response, failure, done = '', nil, false
  local tcp = uv.new_tcp()
  tcp:connect(host, tonumber(port), function(err)
    if err then
      failure, done = err, true
      tcp:close()
      return
    end
    tcp:write(
      string.format('%s %s HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s', method, path, #payload, payload)
    )
    tcp:read_start(function(read_err, chunk)
      if read_err or not chunk then
        failure = read_err
        tcp:close()
        done = true
      else
        response = response .. chunk
      end
    end)
  end)
  vim.wait(10000, function()
    return done
  end, 5)
  assert(done and not failure, 'the fake model control did not answer: ' .. tostring(failure))
  local status, text = response:match('^HTTP/%d%.%d (%d+).-\r\n\r\n(.*)$')
  assert(status == '200', 'the fake model control answered ' .. tostring(status) .. ': ' .. tostring(text))
  return text ~= '' and vim.json.decode(text) or nil
end

--- Queue the model's next answers, in order. Each is { json = table } (a structured answer such as
--- a plan), { text = string } (streamed text such as edits), { chunks = {...} } or
--- { error = string, status = number }.
function M.answer(...)
  control('POST', '/enqueue', { ... })
end

--- Install one more model in the fake runtime.
function M.install(name)
  control('POST', '/models', { name = name })
end

-- How many requests earlier tests of this spec file caused; requests() leaves them out.
local earlier = 0

--- Every chat request the model received in this test, oldest first (the Ollama request bodies).
function M.requests()
  return vim.list_slice(control('GET', '/requests'), earlier + 1)
end

--- Start counting requests afresh (between tests).
function M.forget()
  if vim.env.BURROW_TEST_MODEL_CONTROL then
    earlier = #control('GET', '/requests')
  end
end

--- A plan in the shape the server asks the model for.
function M.plan(summary, files, steps)
  local plan_files = {}
  for _, path in ipairs(files) do
    table.insert(plan_files, { path = path, action = 'modify', reason = 'It is named in the task.' })
  end
  return { summary = summary, steps = steps or { { description = summary } }, files = plan_files }
end

--- An edit answer in the whole-file format: each path followed by its complete new text.
function M.whole_files(files)
  local parts = {}
  for _, file in ipairs(files) do
    table.insert(parts, file[1])
    table.insert(parts, '```')
    table.insert(parts, (file[2]:gsub('\r?\n$', '')))
    table.insert(parts, '```')
    table.insert(parts, '')
  end
  return table.concat(parts, '\n')
end

return M
