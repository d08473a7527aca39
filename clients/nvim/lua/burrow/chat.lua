-- The chat buffer: a markdown buffer where the user types a question under "## You" and Burrow's
-- answer streams in under "## Burrow" from `burrow/chatDelta` notifications. The session id is
-- kept, so follow-up questions continue the same conversation.
local client = require('burrow.client')
local config = require('burrow.config')

local M = {}

local NAME = 'burrow://chat'
local YOU = '## You'
local BURROW = '## Burrow'

-- { buf, session_id, streaming, streamed, origin_uri }
M.state = { session_id = nil, streaming = false, streamed = false }

local function buffer()
  local buf = M.state.buf
  if buf and vim.api.nvim_buf_is_valid(buf) then
    return buf
  end
  buf = vim.api.nvim_create_buf(true, true)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, NAME)
  vim.bo[buf].filetype = 'markdown'
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
    '# Burrow chat',
    '',
    string.format('Type below "%s" and press %s in normal mode (or :Burrow send).', YOU, config.options.chat_keys.send),
    '',
    YOU,
    '',
  })
  local keys = config.options.chat_keys
  vim.keymap.set('n', keys.send, function()
    M.send()
  end, { buffer = buf, silent = true, desc = 'Burrow: send the question (:Burrow send)' })
  vim.keymap.set('n', keys.close, function()
    M.close()
  end, { buffer = buf, silent = true, nowait = true, desc = 'Burrow: close the chat (:Burrow close)' })
  M.state.buf = buf
  return buf
end

--- Open the chat buffer in a split on the right (or jump to it when it is visible).
function M.open()
  local current = vim.api.nvim_get_current_buf()
  if vim.bo[current].buftype == '' and vim.api.nvim_buf_get_name(current) ~= '' then
    M.state.origin_uri = vim.uri_from_bufnr(current)
  end
  local buf = buffer()
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd('botright vsplit')
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
    vim.wo[win].wrap = true
    vim.wo[win].linebreak = true
  else
    vim.api.nvim_set_current_win(win)
  end
  vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  return buf, win
end

function M.close()
  local buf = M.state.buf
  if buf and vim.api.nvim_buf_is_valid(buf) then
    local win = vim.fn.bufwinid(buf)
    if win ~= -1 and #vim.api.nvim_list_wins() > 1 then
      vim.api.nvim_win_close(win, true)
    end
  end
end

local function last_you_line(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i = #lines, 1, -1 do
    if lines[i] == YOU then
      return i, lines
    end
  end
  return nil, lines
end

local function append(buf, lines)
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, lines)
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

--- Append streamed text to the answer, splitting at newlines.
local function append_text(buf, text)
  local parts = vim.split(text, '\n', { plain = true })
  local last = vim.api.nvim_buf_line_count(buf)
  local tail = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ''
  parts[1] = tail .. parts[1]
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, parts)
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

--- A `burrow/chatDelta` notification.
function M.on_delta(params)
  local state = M.state
  if not state.streaming or not params or type(params.delta) ~= 'string' then
    return
  end
  if state.session_id and params.sessionId and params.sessionId ~= state.session_id then
    return
  end
  state.session_id = state.session_id or params.sessionId
  state.streamed = true
  append_text(buffer(), params.delta)
end

--- Send a question: `prompt`, or the text typed under the last "## You" heading.
function M.send(prompt)
  local state = M.state
  if state.streaming then
    vim.notify('Burrow is still answering; wait for the answer to finish.', vim.log.levels.WARN)
    return
  end
  local buf = buffer()
  local you, lines = last_you_line(buf)
  if prompt and prompt ~= '' then
    if not you then
      append(buf, { '', YOU })
      you = vim.api.nvim_buf_line_count(buf)
    end
    vim.api.nvim_buf_set_lines(buf, you, -1, false, vim.split(prompt, '\n', { plain = true }))
  else
    local typed = {}
    for i = (you or 0) + 1, #lines do
      table.insert(typed, lines[i])
    end
    prompt = vim.trim(table.concat(typed, '\n'))
    if prompt == '' then
      vim.notify('Burrow: type your question under "' .. YOU .. '" first.', vim.log.levels.WARN)
      return
    end
  end
  append(buf, { '', BURROW, '' })
  state.streaming = true
  state.streamed = false
  client.execute('burrow.chat', {
    prompt = prompt,
    sessionId = state.session_id,
    uri = state.origin_uri,
  }, function(err, result)
    state.streaming = false
    if err then
      append_text(buf, '*' .. err .. '*')
    else
      state.session_id = result and result.sessionId or state.session_id
      if not state.streamed and result and result.text then
        append_text(buf, result.text)
      end
    end
    append(buf, { '', YOU, '' })
  end)
end

return M
