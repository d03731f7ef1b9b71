# The function: `handler EVENT` prints the answer. Answers {"name":"Ada"} with
# {"greeting":"Hello, Ada!"}; GREETING comes from cumulus.yaml's env. (sed stands in for a JSON
# parser so that nothing beyond sh, sed and curl is needed.)
handler() {
  name=$(printf '%s' "$1" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
  echo "greeting ${name:-world}" >&2 # `cumulus logs {{name}}` shows it
  printf '{"greeting":"%s, %s!"}' "${GREETING:-Hello}" "${name:-world}"
}
