/** `npm run openapi`: writes the API's OpenAPI 3.1 document, generated from the route table and the schemas. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, renderOpenApiDocument } from '../lambdas/http/openapi/document.js';

const target = fileURLToPath(new URL(`../${OPENAPI_FILE}`, import.meta.url));
writeFileSync(target, renderOpenApiDocument());
console.log(`Wrote ${OPENAPI_FILE}`);
