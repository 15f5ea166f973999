import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import { ROLES, Role } from '@app/common';

export class AddMemberDto {
  /** An existing account's email. */
  @ApiProperty({ format: 'email' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class UpdateMemberDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 200 }) name: string | null;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberDto], maxItems: 1000 }) data: MemberDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}
